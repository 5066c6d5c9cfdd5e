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
 * A cancelled request is answered through the application's own exception handling.
 */
@SpringBootTest(classes = ProblemDetailTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ProblemDetailIntegrationTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void responseEntityExceptionHandlerCustomisesTheProblemOfAPassedDeadline() throws Exception {
		HttpResponse<String> response = get("/orders/deadline");
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"title\":\"Orders are slow today\"", "\"service\":\"orders\"",
				"\"status\":504", "\"reason\":\"DEADLINE_EXCEEDED\"", "\"instance\":\"/orders/deadline\"")
			.doesNotContain("Exception", "at io.");
	}

	@Test
	void applicationsExceptionHandlerForScopeCancelledExceptionWins() throws Exception {
		HttpResponse<String> response = get("/reports/deadline");
		assertThat(response.statusCode()).isEqualTo(408);
		assertThat(response.body()).isEqualTo("reports gave up: DEADLINE_EXCEEDED");
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(20))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
