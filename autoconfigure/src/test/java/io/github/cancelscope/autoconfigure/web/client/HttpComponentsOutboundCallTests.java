package io.github.cancelscope.autoconfigure.web.client;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpComponentsClientHttpRequestFactoryBuilder;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outbound calls on Apache HttpComponents 5, whose request an abort cancels.
 */
@TestPropertySource(properties = "spring.http.clients.imperative.factory=http-components")
class HttpComponentsOutboundCallTests extends AbstractOutboundCallTests {

	@Autowired
	private ClientHttpRequestFactoryBuilder<?> requestFactoryBuilder;

	@Test
	void callsUseHttpComponents() {
		assertThat(this.requestFactoryBuilder).isInstanceOf(HttpComponentsClientHttpRequestFactoryBuilder.class);
	}

}
