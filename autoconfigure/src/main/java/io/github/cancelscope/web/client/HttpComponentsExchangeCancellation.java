package io.github.cancelscope.web.client;

import java.io.IOException;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;

/**
 * Lets a {@link RequestScopeInterceptor} cancel the Apache HttpComponents 5 request it executes. A
 * blocked socket read of the classic client ignores interrupts on platform threads; cancelling the
 * request (its connection lease, or the connection itself once leased) is what stops it, while
 * waiting for the response and while its body is read.
 * <p>
 * Spring Boot's request factory builder gets it through the starter's auto-configuration. A client
 * built by hand adds it at the front of its execution chain, around redirects and retries:
 * {@snippet :
 * CloseableHttpClient client = HttpClients.custom()
 *     .addExecInterceptorFirst(HttpComponentsExchangeCancellation.NAME, new HttpComponentsExchangeCancellation())
 *     .build();
 * }
 */
public final class HttpComponentsExchangeCancellation implements ExecChainHandler {

	/** Name of the handler in the client's execution chain. */
	public static final String NAME = "cancelscope";

	@Override
	public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
			throws IOException, HttpException {
		ScopedExchange exchange = ScopedExchange.current();
		if (exchange != null) {
			Cancellable cancellable = (scope.originalRequest instanceof Cancellable original) ? original
					: (scope.execRuntime instanceof Cancellable runtime) ? runtime : null;
			if (cancellable != null) {
				exchange.attach(cancellable::cancel);
			}
		}
		return chain.proceed(request, scope);
	}

}
