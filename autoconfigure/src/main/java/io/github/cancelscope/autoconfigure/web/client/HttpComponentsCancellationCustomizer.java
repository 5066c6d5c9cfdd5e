package io.github.cancelscope.autoconfigure.web.client;

import io.github.cancelscope.web.client.HttpComponentsExchangeCancellation;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;

/**
 * Adds {@link HttpComponentsExchangeCancellation} to the clients of Spring Boot's request factory
 * builder, at the front of their execution chain, around redirects and retries.
 */
final class HttpComponentsCancellationCustomizer
		implements ClientHttpRequestFactoryBuilderCustomizer<HttpComponentsClientHttpRequestFactoryBuilder> {

	@Override
	public HttpComponentsClientHttpRequestFactoryBuilder customize(
			HttpComponentsClientHttpRequestFactoryBuilder builder) {
		return builder.withHttpClientCustomizer(HttpComponentsCancellationCustomizer::addHandler);
	}

	private static void addHandler(HttpClientBuilder builder) {
		builder.addExecInterceptorFirst(HttpComponentsExchangeCancellation.NAME, new HttpComponentsExchangeCancellation());
	}

}
