package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import javax.sql.DataSource;

import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.DisconnectTestApplication.Handled;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancellation across services: service A's deadline passes while it waits for service B (this
 * test's application, on Tomcat); A aborts its call, B sees its client go away, and B's query stops
 * on the database. Neither service knows about the other's scope: the closed connection carries it.
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ServiceToServiceDisconnectTests {

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@LocalServerPort
	private int port;

	@Autowired
	@Qualifier("postgresDataSource")
	private DataSource postgres;

	@Test
	void callersDeadlineStopsTheCalleesQueryThroughTheClosedConnection() throws Exception {
		try (ConfigurableApplicationContext serviceA = new SpringApplicationBuilder(ServiceA.class).run(
				"--server.port=0", "--service-b.url=http://localhost:" + this.port,
				"--cancelscope.request.timeout=500ms",
				// no deadline travels to B, so what ends B's query is A closing the connection
				"--cancelscope.request.timeout-header=")) {
			int portA = ((WebServerApplicationContext) serviceA).getWebServer().getPort();
			// B's pool has its connection and both services answer a first call, so that A's 500 ms
			// are not spent starting up on a busy machine (a first call may itself miss the deadline)
			this.postgres.getConnection().close();
			int warmUp = 0;
			for (int attempt = 0; attempt < 10 && warmUp != 200; attempt++) {
				warmUp = this.client.send(HttpRequest
					.newBuilder(URI.create("http://localhost:" + portA + "/call-b?path=/hello%3Fid%3Dwarm-up-" + attempt))
					.timeout(Duration.ofSeconds(20))
					.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
			}
			assertThat(warmUp).as("A's answer to a call to B, after 10 attempts").isEqualTo(200);
			String id = "s2s";
			HttpRequest request = HttpRequest
				.newBuilder(URI.create("http://localhost:" + portA + "/call-b?path=/postgres%3Fid%3D" + id))
				.timeout(Duration.ofSeconds(20))
				.build();
			HttpResponse<String> response = this.client.send(request, HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as("A's answer once its deadline passed").isEqualTo(504);
			Handled handled = Handled.of(id).awaitStarted();
			// B's query sleeps 30 s: idle within the wait means it was stopped
			String state = Http11ClientDisconnectTests.awaitState(EmbeddedPostgresServer::state, handled.backend,
					(now) -> !now.startsWith("active"), "idle");
			assertThat(state).startsWith("idle");
			assertThat(handled.awaitEnded()).as("why B's scope ended").isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	/**
	 * Service A: calls B with the RestClient that Spring Boot builds.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ServiceA.Calls.class)
	static class ServiceA {

		@RestController
		static class Calls {

			private final RestClient serviceB;

			Calls(RestClient.Builder builder, Environment environment) {
				this.serviceB = builder.baseUrl(environment.getRequiredProperty("service-b.url")).build();
			}

			@GetMapping("/call-b")
			String callB(@RequestParam String path) {
				return this.serviceB.get().uri(path).retrieve().body(String.class);
			}

		}

	}

}
