package io.github.cancelscope.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failure mode 1 in the sample, with the starter off and on: when one of three parallel calls fails,
 * the caller gets its 502 either way, but only with cancelscope does the slow call stop.
 */
class FanOutDemoTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@Test
	void withoutCancelscopeTheSlowCallRunsOnAfterTheFailure() throws Exception {
		try (ConfigurableApplicationContext context = start(false)) {
			assertThat(get(context, "/fanout?fail=true&overrun=true").statusCode()).isEqualTo(502);
			assertThat(get(context, "/work").body()).contains("\"running\":[\"inventory\"]");
		}
	}

	@Test
	void withCancelscopeTheFailureStopsTheSlowCall() throws Exception {
		try (ConfigurableApplicationContext context = start(true)) {
			assertThat(get(context, "/fanout?fail=true&overrun=true").statusCode()).isEqualTo(502);
			assertThat(get(context, "/work").body()).contains("\"running\":[]", "inventory cancelled");
		}
	}

	@Test
	void withCancelscopeTheDeadlineStopsTheSlowCall() throws Exception {
		try (ConfigurableApplicationContext context = start(true)) {
			HttpResponse<String> response = get(context, "/fanout?overrun=true");
			assertThat(response.statusCode()).isEqualTo(504);
			assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(get(context, "/work").body()).contains("\"running\":[]", "inventory cancelled");
		}
	}

	private static ConfigurableApplicationContext start(boolean cancelscope) {
		return new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0",
				"--cancelscope.enabled=" + cancelscope, "--spring.main.banner-mode=off",
				// without the starter, work is still running when the test ends: do not wait for it
				"--server.shutdown=immediate");
	}

	private HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return this.client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
