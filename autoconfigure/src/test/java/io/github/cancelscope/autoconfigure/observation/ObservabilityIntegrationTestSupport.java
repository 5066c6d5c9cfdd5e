package io.github.cancelscope.autoconfigure.observation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What the tests of {@link ObservabilityTestApplication} on a real Tomcat share: its port, its
 * meters, and a client.
 */
abstract class ObservabilityIntegrationTestSupport {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	protected MeterRegistry meters;

	/**
	 * Sends {@code GET path}, with the inbound timeout header if {@code timeoutMillis} is given.
	 */
	protected HttpResponse<String> get(String path, @Nullable String timeoutMillis) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
		if (timeoutMillis != null) {
			request.header("X-Request-Timeout-Ms", timeoutMillis);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
