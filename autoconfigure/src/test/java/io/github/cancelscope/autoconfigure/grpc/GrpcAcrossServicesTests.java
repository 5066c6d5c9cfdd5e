package io.github.cancelscope.autoconfigure.grpc;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import io.github.cancelscope.autoconfigure.grpc.GrpcServiceB.Call;
import io.github.cancelscope.grpc.ScopedClientInterceptor;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * HTTP → gRPC → PostgreSQL across two services: service A (this test's application, on Tomcat) calls
 * service B over gRPC on loopback with a channel that has a {@link ScopedClientInterceptor}; B runs
 * each call in a scope ({@link io.github.cancelscope.grpc.ScopedServerInterceptor}) and queries
 * PostgreSQL. When A's client goes away, or A's deadline passes, B's query stops on the server.
 */
@SpringBootTest(classes = GrpcAcrossServicesTests.ServiceA.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class GrpcAcrossServicesTests {

	private static ConfigurableApplicationContext serviceB;

	@LocalServerPort
	private int port;

	@Autowired
	private ManagedChannel channel;

	@Autowired
	private CancellableScope applicationScope;

	@DynamicPropertySource
	static void startServiceB(DynamicPropertyRegistry registry) {
		serviceB = new SpringApplicationBuilder(GrpcServiceB.class).web(WebApplicationType.NONE)
			.run("--spring.datasource.url=" + EmbeddedPostgresServer.jdbcUrl(), "--spring.datasource.username=postgres",
					"--spring.datasource.hikari.data-source-properties.ApplicationName=grpc-service-b");
		registry.add("service-b.port", () -> serviceB.getBean(Server.class).getPort());
	}

	@AfterAll
	static void stopServiceB() {
		serviceB.close();
	}

	@Test
	void clientGoingAwayStopsTheQueryBehindTheGrpcCall() throws Exception {
		String id = "gone";
		long closed;
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			OutputStream out = client.getOutputStream();
			out.write(("GET /report?id=" + id + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			Call call = Call.of(id).awaitStarted();
			assertThat(call.scopeKind).isEqualTo("grpc test.Reports/Slow");
			closed = System.nanoTime();
		}
		Call call = Call.of(id);
		awaitQueryStopped(call);
		System.out.println(String.format(Locale.ROOT,
				"[grpc] HTTP client close -> B's scope cancelled in %.1f ms, B's query stopped in %.1f ms",
				(call.cancelledAt - closed) / 1e6, (System.nanoTime() - closed) / 1e6));
		assertThat(call.awaitEnded()).as("why B's scope ended: A cancelled the call").isEqualTo("CLIENT_DISCONNECTED");
	}

	@BeforeEach
	void callOutsideAnyScopeIsLeftAlone() {
		// and the channel is connected before a test's deadline starts counting
		assertThat(ClientCalls.blockingUnaryCall(this.channel, StringMethods.SLOW_REPORT, CallOptions.DEFAULT, "quick"))
			.isEqualTo("quick report quick");
	}

	@Test
	void callersDeadlineTravelsAsTheCallsDeadlineAndStopsTheQuery() throws Exception {
		String id = "deadline";
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/report?id=" + id))
				.header("X-Request-Timeout-Ms", "3000")
				.timeout(Duration.ofSeconds(20))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("A's answer at its deadline").isEqualTo(504);
		Call call = Call.of(id).awaitStarted();
		assertThat(call.hadDeadline).as("B's scope got the deadline A sent").isTrue();
		awaitQueryStopped(call);
		// B's own deadline and A's cancel arrive together: either ends the call
		assertThat(call.awaitEnded()).isIn("DEADLINE_EXCEEDED", "CLIENT_DISCONNECTED");
	}

	@Test
	void callInACancelledScopeFailsAtOnce() {
		try (CancellableScope scope = this.applicationScope.openChild()) {
			scope.cancel(CancellationReason.CANCELLED);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(() -> scope.call(
					() -> ClientCalls.blockingUnaryCall(this.channel, StringMethods.SLOW_REPORT, CallOptions.DEFAULT,
							"never-sent")));
		}
		assertThat(Call.of("never-sent").started.getCount()).as("B never saw the call").isEqualTo(1);
	}

	/**
	 * Waits until B's backend is no longer running the 30 s query: stopped, as only a cancel could.
	 */
	private static void awaitQueryStopped(Call call) {
		await("B's backend " + call.backend + " idle").atMost(Duration.ofSeconds(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> EmbeddedPostgresServer.state(call.backend), (state) -> state.startsWith("idle"));
	}

	/**
	 * Service A: answers HTTP requests by calling B over gRPC.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(ServiceA.Reports.class)
	static class ServiceA {

		@Bean(destroyMethod = "shutdownNow")
		ManagedChannel serviceB(Environment environment, ScopedClientInterceptor scopes) {
			return Grpc
				.newChannelBuilderForAddress("localhost", environment.getRequiredProperty("service-b.port", Integer.class),
						InsecureChannelCredentials.create())
				.intercept(scopes)
				.build();
		}

		@RestController
		static class Reports {

			private final ManagedChannel serviceB;

			Reports(ManagedChannel serviceB) {
				this.serviceB = serviceB;
			}

			@GetMapping("/report")
			String report(@RequestParam String id) {
				return ClientCalls.blockingUnaryCall(this.serviceB, StringMethods.SLOW_REPORT, CallOptions.DEFAULT, id);
			}

		}

	}

}
