package io.github.cancelscope.autoconfigure.web.client;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JettyClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.ReactorClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.SimpleClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;

/**
 * Warns, when Spring Boot builds its request factory builder at start-up, if the factory it builds
 * is one whose calls cancelscope cannot reliably abort. Leaves the builder as it is.
 */
final class UnabortableRequestFactoryWarning
		implements ClientHttpRequestFactoryBuilderCustomizer<ClientHttpRequestFactoryBuilder<?>> {

	private static final Log logger = LogFactory.getLog(UnabortableRequestFactoryWarning.class);

	@Override
	public ClientHttpRequestFactoryBuilder<?> customize(ClientHttpRequestFactoryBuilder<?> builder) {
		if (builder instanceof JdkClientHttpRequestFactoryBuilder
				|| builder instanceof HttpComponentsClientHttpRequestFactoryBuilder) {
			return builder;
		}
		logger.warn("RestClient and RestTemplate calls use " + factoryName(builder)
				+ ", which cancelscope cannot reliably abort: a call made in a cancelled scope runs on until it "
				+ "ends or times out, and keeps its connection meanwhile. Use the JDK HttpClient or Apache "
				+ "HttpComponents 5 (spring.http.clients.imperative.factory=jdk or http-components) to have "
				+ "calls aborted.");
		return builder;
	}

	private static String factoryName(ClientHttpRequestFactoryBuilder<?> builder) {
		if (builder instanceof SimpleClientHttpRequestFactoryBuilder) {
			return "SimpleClientHttpRequestFactory (HttpURLConnection)";
		}
		if (builder instanceof JettyClientHttpRequestFactoryBuilder) {
			return "JettyClientHttpRequestFactory";
		}
		if (builder instanceof ReactorClientHttpRequestFactoryBuilder) {
			return "ReactorClientHttpRequestFactory";
		}
		return "a request factory of " + builder.getClass().getName();
	}

}
