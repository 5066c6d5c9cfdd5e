package io.github.cancelscope.autoconfigure.web.servlet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request scopes on a real Tomcat: deadlines, failing forks, races and the timeout header.
 */
@SpringBootTest(classes = RequestScopeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cancelscope.request.timeout=5s", "cancelscope.request.max-timeout=10s" })
class RequestScopeIntegrationTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@BeforeEach
	void clearEvents() {
		RequestScopeTestApplication.events.clear();
	}

	@Test
	void requestWhoseDeadlinePassesIsAnsweredWithProblemAfterItsForksStoppedAndCleanedUp() throws Exception {
		HttpResponse<String> response = get("/deadline", "X-Request-Timeout-Ms", "300");
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"status\":504", "\"reason\":\"DEADLINE_EXCEEDED\"", "\"instance\":\"/deadline\"")
			.doesNotContain("Exception", "at io.");
		// the scope closes when the filters return, which a client reading a flushed body may outrun
		awaitEvents("stuck interrupted", "stuck cleanup");
	}

	@Test
	void failingForkCancelsItsSiblingsAndItsOwnFailureReachesSpringErrorHandling() throws Exception {
		HttpResponse<String> response = get("/sibling");
		assertThat(response.statusCode()).as("@ResponseStatus of the fork's own exception").isEqualTo(418);
		awaitEvents("slow cleanup", "second cleanup", "first cleanup");
	}

	@Test
	void failingForksExceptionReachesTheApplicationsExceptionHandler() throws Exception {
		HttpResponse<String> response = get("/sibling-handled");
		assertThat(response.statusCode()).isEqualTo(409);
		assertThat(response.body()).isEqualTo("conflict: stock changed");
	}

	@Test
	void failingForksUnhandledExceptionIsAnInternalServerError() throws Exception {
		HttpResponse<String> response = get("/sibling-unhandled");
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(response.body()).doesNotContain("problem", "SIBLING_FAILED");
	}

	@Test
	void raceReturnsOnlyAfterEveryLoserHasCleanedUp() throws Exception {
		HttpResponse<String> response = get("/race");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("winner after [loser-1 cleaned up, loser-2 cleaned up]");
	}

	@Test
	void defaultTimeoutAppliesWithoutHeader() throws Exception {
		assertThat(remainingMillis(get("/remaining"))).isBetween(1L, 5000L);
	}

	@Test
	void timeoutHeaderShortensTheDeadline() throws Exception {
		assertThat(remainingMillis(get("/remaining", "X-Request-Timeout-Ms", "1500"))).isBetween(1L, 1500L);
	}

	@Test
	void timeoutHeaderCannotLengthenTheDeadline() throws Exception {
		assertThat(remainingMillis(get("/remaining", "X-Request-Timeout-Ms", "60000"))).isBetween(1L, 5000L);
	}

	@Test
	void hostileTimeoutHeadersChangeNothing() throws Exception {
		for (String hostile : new String[] { "-5", "abc", "1e3", "0x10", "+100", "99999999999999999999",
				"100000000000000000", "100ms", "1,5" }) {
			HttpResponse<String> response = get("/remaining", "X-Request-Timeout-Ms", hostile);
			assertThat(response.statusCode()).as(hostile).isEqualTo(200);
			assertThat(remainingMillis(response)).as(hostile).isGreaterThan(1500L).isLessThanOrEqualTo(5000L);
		}
	}

	@Test
	void repeatedTimeoutHeaderIsIgnored() throws Exception {
		HttpRequest request = HttpRequest.newBuilder(uri("/remaining"))
			.header("X-Request-Timeout-Ms", "100")
			.header("X-Request-Timeout-Ms", "200")
			.build();
		HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(remainingMillis(response)).isGreaterThan(1500L);
	}

	@Test
	void requestThatArrivesWithItsDeadlinePassedIsAnsweredWithoutRunningTheHandler() throws Exception {
		HttpResponse<String> response = get("/deadline", "X-Request-Timeout-Ms", "0");
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(response.headers().firstValue("Content-Type")).as("written by the filter, outside Spring MVC")
			.hasValue("application/problem+json");
		assertThat(response.body()).contains("\"reason\":\"DEADLINE_EXCEEDED\"", "\"instance\":\"/deadline\"");
		assertThat(RequestScopeTestApplication.events).isEmpty();
	}

	@Test
	void scopedMethodRunsInAChildWithTheEarlierDeadline() throws Exception {
		String[] parts = get("/scoped-remaining", "X-Request-Timeout-Ms", "3000").body().split(" of ");
		assertThat(Long.parseLong(parts[0])).as("the @Scoped child's own 150ms").isBetween(0L, 150L);
		assertThat(Long.parseLong(parts[1])).as("the request's 3s").isBetween(150L, 3000L);
		parts = get("/scoped-remaining", "X-Request-Timeout-Ms", "100").body().split(" of ");
		assertThat(Long.parseLong(parts[0])).as("the request's earlier deadline").isLessThanOrEqualTo(100L);
	}

	@Test
	void scopeCancelledExceptionEscapingAScopedMethodIsAnsweredByItsReason() throws Exception {
		HttpResponse<String> response = get("/scoped-deadline");
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(response.body()).contains("DEADLINE_EXCEEDED");
		assertThat(RequestScopeTestApplication.events).containsExactly("scoped sleep interrupted");
	}

	private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
		if (headers.length > 0) {
			request.headers(headers);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private static long remainingMillis(HttpResponse<String> response) {
		assertThat(response.statusCode()).isEqualTo(200);
		return Long.parseLong(response.body());
	}

	private static void awaitEvents(String... events) {
		Awaitility.await("the request's scope closed: " + String.join(", ", events))
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(RequestScopeTestApplication.events).containsExactly(events));
	}

}
