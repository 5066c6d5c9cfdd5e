package io.github.cancelscope.sample;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gRPC demo on the sample's embedded H2: {@code GET /grpc-report} calls the sample's own gRPC
 * service (Spring gRPC's server, on a random port) through a channel from Spring gRPC's channel
 * factory, and the service runs a slow query. With the starter the query stops when the HTTP
 * request's deadline passes or its client goes away; without it the query runs on.
 */
class GrpcDemoTests {

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	@Test
	void withCancelscopeTheRequestsDeadlineEndsTheGrpcCallAndStopsItsQuery() throws Exception {
		try (ConfigurableApplicationContext context = start(true)) {
			HttpResponse<String> response = get(context, "/grpc-report?query=30s");
			assertThat(response.statusCode()).as("the request's 2 s deadline passed").isEqualTo(504);
			assertThat(response.body()).contains("\"reason\":\"DEADLINE_EXCEEDED\"");
			awaitWork(context, "grpc report query cancelled");
			assertThat(get(context, "/pool").body()).contains("\"queriesOnServer\":0", "\"active\":0");
		}
	}

	@Test
	void withCancelscopeAClientThatGoesAwayStopsTheQueryBehindTheGrpcCall() throws Exception {
		try (ConfigurableApplicationContext context = start(true)) {
			try (Socket client = sendAndAwaitQuery(context, "/grpc-report?query=30s")) {
				// the client goes away here
			}
			// the watcher sees the close, the request's scope cancels the gRPC call, the service's
			// scope cancels its query
			awaitWork(context, "grpc report query cancelled");
			awaitWork(context, "grpc call cancelled");
			assertThat(get(context, "/pool").body()).contains("\"queriesOnServer\":0", "\"active\":0");
			assertThat(get(context, "/work").body()).contains("\"running\":[]");
		}
	}

	@Test
	void withoutCancelscopeTheQueryBehindTheGrpcCallRunsOnAfterTheClientWentAway() throws Exception {
		try (ConfigurableApplicationContext context = start(false)) {
			try (Socket client = sendAndAwaitQuery(context, "/grpc-report?query=5s")) {
				// the client goes away here
			}
			// long enough for the cancellation the starter would have made (milliseconds), far shorter
			// than the query
			Thread.sleep(500);
			assertThat(get(context, "/pool").body()).contains("\"queriesOnServer\":1");
			assertThat(get(context, "/work").body()).contains("\"grpc call\"", "\"grpc report query\"");
		}
	}

	/**
	 * Sends a GET on a plain socket, so the test decides when the client goes away, and waits until
	 * the gRPC service's query runs.
	 */
	private Socket sendAndAwaitQuery(ConfigurableApplicationContext context, String path) throws Exception {
		Socket client = new Socket(InetAddress.getLoopbackAddress(), port(context));
		OutputStream out = client.getOutputStream();
		out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
		await("the gRPC service's query running on the database").atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> get(context, "/pool").body(), (pool) -> pool.contains("\"queriesOnServer\":1"));
		assertThat(get(context, "/work").body()).contains("\"grpc report query\"");
		return client;
	}

	private void awaitWork(ConfigurableApplicationContext context, String expected) {
		await(expected + " in /work").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> get(context, "/work").body(), (work) -> work.contains(expected));
	}

	private ConfigurableApplicationContext start(boolean cancelscope) throws Exception {
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--spring.grpc.server.port=0",
				"--cancelscope.enabled=" + cancelscope, "--spring.main.banner-mode=off",
				// without the starter, work is still running when the test ends: do not wait for it
				"--server.shutdown=immediate", "--spring.grpc.server.shutdown-grace-period=0"));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
			.run(arguments.toArray(String[]::new));
		// the first call connects the channel, which can take longer than a request's 2 s deadline on a
		// busy machine: keep that out of the tests
		await("a first gRPC call answered").atMost(Duration.ofSeconds(60))
			.until(() -> get(context, "/grpc-report?query=0s").body(), "grpc report after 0 ms"::equals);
		return context;
	}

	private HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port(context) + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
