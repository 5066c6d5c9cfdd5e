package io.github.cancelscope.autoconfigure.web.client;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outbound calls on the JDK {@code HttpClient}, which an abort interrupts.
 */
@TestPropertySource(properties = "spring.http.clients.imperative.factory=jdk")
class JdkOutboundCallTests extends AbstractOutboundCallTests {

	@Autowired
	private ClientHttpRequestFactoryBuilder<?> requestFactoryBuilder;

	@Test
	void callsUseTheJdkHttpClient() {
		assertThat(this.requestFactoryBuilder).isInstanceOf(JdkClientHttpRequestFactoryBuilder.class);
	}

}
