package io.github.cancelscope.autoconfigure.web.client;

import java.io.IOException;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;

/**
 * Lets a {@link ScopedExchange} cancel the Apache HttpComponents 5 request it executes. A blocked
 * socket read of the classic client ignores interrupts on platform threads; cancelling the request
 * (its connection lease, or the connection itself once leased) is what stops it, while waiting for
 * the response and while its body is read.
 */
final class HttpComponentsExchangeCancellation implements ExecChainHandler {

	/** Name of the handler in the client's execution chain. */
	static final String NAME = "cancelscope";

	@Override
	public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
			throws IOException, HttpException {
		if (ScopedExchange.CURRENT.isBound()) {
			Cancellable cancellable = (scope.originalRequest instanceof Cancellable original) ? original
					: (scope.execRuntime instanceof Cancellable runtime) ? runtime : null;
			if (cancellable != null) {
				ScopedExchange.CURRENT.get().attach(cancellable::cancel);
			}
		}
		return chain.proceed(request, scope);
	}

	/**
	 * Adds the handler to the clients of Spring Boot's request factory builder, at the front of
	 * their execution chain, around redirects and retries.
	 */
	static final class BuilderCustomizer
			implements ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> {

		@Override
		public HttpComponentsClientHttpRequestFactoryBuilder customize(
				HttpComponentsClientHttpRequestFactoryBuilder builder) {
			return builder.withHttpClientCustomizer(BuilderCustomizer::addHandler);
		}

		private static void addHandler(HttpClientBuilder builder) {
			builder.addExecInterceptorFirst(NAME, new HttpComponentsExchangeCancellation());
		}

	}

}
