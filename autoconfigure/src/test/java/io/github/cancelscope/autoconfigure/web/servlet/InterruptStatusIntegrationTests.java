package io.github.cancelscope.autoconfigure.web.servlet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a connector with a single request thread, no interrupt status survives from one request to the
 * next.
 */
@SpringBootTest(classes = RequestScopeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.tomcat.threads.max=1", "server.tomcat.threads.min-spare=1" })
class InterruptStatusIntegrationTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void interruptDeliveredByACancelledRegionIsClearedBeforeTheResponseIsWritten() throws Exception {
		HttpResponse<String> response = get("/interruptible-deadline", "X-Request-Timeout-Ms", "200");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).startsWith("interrupted on ").endsWith("interrupted=false");
		String thread = response.body().substring("interrupted on ".length(), response.body().indexOf(" interrupted="));
		assertThat(get("/thread").body()).isEqualTo(thread + " interrupted=false");
	}

	@Test
	void interruptLeftByAHandlerDoesNotReachTheNextRequestOnTheSameThread() throws Exception {
		String thread = get("/thread").body().replace(" interrupted=false", "");
		try {
			get("/leave-interrupted");
		}
		catch (java.io.IOException ex) {
			// Tomcat may drop the response of a thread whose interrupt status is set: that is the
			// handler's own doing; what matters is the next request
		}
		for (int i = 0; i < 3; i++) {
			assertThat(get("/thread").body()).isEqualTo(thread + " interrupted=false");
		}
	}

	private HttpResponse<String> get(String path, String... headers) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(20));
		if (headers.length > 0) {
			request.headers(headers);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
