package io.github.cancelscope.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Failure mode 2 and the HTTP fan-out in the sample, on its embedded H2, with the starter off and on.
 */
class ZombieAndDashboardDemoTests {

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@Test
	void withoutCancelscopeTheZombieQueriesKeepTheirConnections() throws Exception {
		try (ConfigurableApplicationContext context = start(false)) {
			assertThat(get(context, "/zombie?query=3s").statusCode()).isEqualTo(500);
			assertThat(get(context, "/pool").body()).contains("\"active\":2", "\"queriesOnServer\":2");
		}
	}

	@Test
	void withCancelscopeTheZombieQueriesAreCancelledAndTheirConnectionsReturned() throws Exception {
		try (ConfigurableApplicationContext context = start(true)) {
			assertThat(get(context, "/zombie?query=30s").statusCode()).isEqualTo(500);
			assertThat(get(context, "/pool").body()).contains("\"active\":0", "\"queriesOnServer\":0");
			assertThat(get(context, "/healthy").body()).isEqualTo("1");
		}
	}

	@Test
	void withoutCancelscopeTheStalledUpstreamCallOutlivesTheCallerGivingUp() throws Exception {
		try (ConfigurableApplicationContext context = start(false)) {
			assertThatExceptionOfType(HttpTimeoutException.class)
				.isThrownBy(() -> get(context, "/dashboard", Duration.ofSeconds(1)));
			assertThat(get(context, "/work").body()).contains("call to upstream notifications",
					"\"upstream notifications\"");
		}
	}

	@Test
	void withCancelscopeTheStalledUpstreamCallEndsAtTheDeadline() throws Exception {
		try (ConfigurableApplicationContext context = start(true)) {
			assertThat(get(context, "/dashboard").statusCode()).isEqualTo(504);
			String work = get(context, "/work").body();
			assertThat(work).contains("\"running\":[]", "call to upstream notifications cancelled");
		}
	}

	@Test
	void withTheDisconnectWatcherAClientThatGivesUpStopsItsQuery() throws Exception {
		try (ConfigurableApplicationContext context = start(true)) {
			assertThatExceptionOfType(HttpTimeoutException.class)
				.isThrownBy(() -> get(context, "/report?query=30s", Duration.ofSeconds(1)));
			awaitPool(context, "\"queriesOnServer\":0", Duration.ofSeconds(5));
			assertThat(get(context, "/work").body()).contains("report query cancelled");
		}
	}

	@Test
	void withoutTheDisconnectWatcherTheAbandonedQueryRunsOn() throws Exception {
		try (ConfigurableApplicationContext context = start(true, "--cancelscope.request.disconnect.enabled=false")) {
			assertThatExceptionOfType(HttpTimeoutException.class)
				.isThrownBy(() -> get(context, "/report?query=30s", Duration.ofSeconds(1)));
			assertThat(get(context, "/pool").body()).contains("\"queriesOnServer\":1");
		}
	}

	private void awaitPool(ConfigurableApplicationContext context, String expected, Duration timeout) {
		await(expected + " in the pool's report").atMost(timeout)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> get(context, "/pool").body(), (pool) -> pool.contains(expected));
	}

	private static ConfigurableApplicationContext start(boolean cancelscope, String... more) {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--cancelscope.enabled=" + cancelscope,
				"--spring.main.banner-mode=off",
				// without the starter, work is still running when the test ends: do not wait for it
				"--server.shutdown=immediate"));
		arguments.addAll(List.of(more));
		return new SpringApplicationBuilder(SampleApplication.class).run(arguments.toArray(String[]::new));
	}

	private HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		return get(context, path, Duration.ofSeconds(30));
	}

	private HttpResponse<String> get(ConfigurableApplicationContext context, String path, Duration timeout)
			throws Exception {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(timeout)
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
