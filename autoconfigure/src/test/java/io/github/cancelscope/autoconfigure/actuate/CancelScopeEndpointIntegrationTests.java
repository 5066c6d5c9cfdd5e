package io.github.cancelscope.autoconfigure.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;
import io.github.cancelscope.autoconfigure.observation.ObservabilityTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cancelscope} endpoint over real HTTP: it shows a stuck request with its fork, and
 * cancelling it answers the request 503.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=cancelscope", "cancelscope.request.timeout=30s" })
class CancelScopeEndpointIntegrationTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void showsAStuckRequestWithItsForkAndCancelsIt() throws Exception {
		ObservabilityTestApplication.stuckForkRunning = new CountDownLatch(1);
		CompletableFuture<HttpResponse<String>> stuck = this.client.sendAsync(request("/stuck").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(ObservabilityTestApplication.stuckForkRunning.await(20, TimeUnit.SECONDS))
			.as("the stuck request's fork runs").isTrue();
		HttpResponse<String> tree = this.client.send(request("/actuator/cancelscope").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(tree.statusCode()).isEqualTo(200);
		List<Map<String, Object>> stuckScopes = JsonPath.read(tree.body(), "$.scopes[?(@.path == '/stuck')]");
		assertThat(stuckScopes).as(tree.body()).singleElement().satisfies((entry) -> {
			assertThat(entry).containsEntry("kind", "request").containsEntry("method", "GET");
		});
		List<String> ids = JsonPath.read(tree.body(), "$.scopes[?(@.path == '/stuck')].scope.id");
		String id = ids.get(0);
		List<String> forkThreads = JsonPath.read(tree.body(), "$.scopes[?(@.path == '/stuck')].scope.forks[*].thread");
		// a fork gets a virtual thread named for its scope on Java 21 and later, a pooled one before
		assertThat(forkThreads).singleElement()
			.satisfies((thread) -> assertThat(thread).matches((Runtime.version().feature() >= 21)
					? "cancelscope-" + id + "-fork" : "cancelscope-fork-\\d+"));
		List<Object> remaining = JsonPath.read(tree.body(), "$.scopes[?(@.path == '/stuck')].scope.remainingMillis");
		assertThat(remaining).singleElement().satisfies((millis) -> assertThat(((Number) millis).longValue()).isPositive());

		HttpResponse<String> cancel = this.client.send(request("/actuator/cancelscope/" + id)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
		assertThat((String) JsonPath.read(cancel.body(), "$.outcome")).isEqualTo("cancelled");

		HttpResponse<String> answer = stuck.get(20, TimeUnit.SECONDS);
		assertThat(answer.statusCode()).isEqualTo(503);
		assertThat(answer.body()).contains("\"reason\":\"CANCELLED\"");
		HttpResponse<String> after = this.client.send(request("/actuator/cancelscope/" + id)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat((String) JsonPath.read(after.body(), "$.outcome")).isEqualTo("not-found");
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
	}

}
