package io.github.cancelscope.autoconfigure.web.servlet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each inbound deadline header shortens the deadline of a request on a real Tomcat, and only
 * well-formed values count.
 */
@SpringBootTest(classes = RequestScopeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cancelscope.request.timeout=5s", "cancelscope.request.max-timeout=10s" })
class DeadlineHeadersIntegrationTests {

	private static final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Test
	void timeoutHeaderShortensTheDeadline() throws Exception {
		assertThat(remainingMillis(this.port, "X-Request-Timeout-Ms", "1500")).isBetween(1L, 1500L);
	}

	@Test
	void grpcTimeoutShortensTheDeadline() throws Exception {
		assertThat(remainingMillis(this.port, "grpc-timeout", "1500m")).isBetween(1L, 1500L);
		assertThat(remainingMillis(this.port, "grpc-timeout", "2S")).isBetween(1L, 2000L);
		assertThat(remainingMillis(this.port, "grpc-timeout", "900000u")).isBetween(1L, 900L);
	}

	@Test
	void envoyExpectedTimeoutShortensTheDeadline() throws Exception {
		assertThat(remainingMillis(this.port, "x-envoy-expected-rq-timeout-ms", "1500")).isBetween(1L, 1500L);
	}

	@Test
	void earliestHeaderWins() throws Exception {
		assertThat(remainingMillis(this.port, "X-Request-Timeout-Ms", "4000", "grpc-timeout", "3S",
				"x-envoy-expected-rq-timeout-ms", "1200"))
			.isBetween(1L, 1200L);
		assertThat(remainingMillis(this.port, "X-Request-Timeout-Ms", "4000", "grpc-timeout", "1200m",
				"x-envoy-expected-rq-timeout-ms", "3000"))
			.isBetween(1L, 1200L);
	}

	@Test
	void noHeaderLengthensTheDeadline() throws Exception {
		assertThat(remainingMillis(this.port, "grpc-timeout", "99999999H")).isBetween(1501L, 5000L);
		assertThat(remainingMillis(this.port, "x-envoy-expected-rq-timeout-ms", "60000")).isBetween(1501L, 5000L);
	}

	@Test
	void hostileGrpcTimeoutsChangeNothing() throws Exception {
		for (String hostile : new String[] { "-5S", "abc", "1e3m", "0x10S", "+100m", "123456789m", "100", "100ms",
				"1s", "1.5S", "1,5S", "100m, 200m" }) {
			assertThat(remainingMillis(this.port, "grpc-timeout", hostile)).as(hostile).isBetween(1501L, 5000L);
		}
	}

	@Test
	void hostileEnvoyTimeoutsChangeNothing() throws Exception {
		for (String hostile : new String[] { "-5", "abc", "1e3", "0x10", "+100", "99999999999999999999", "100ms",
				"1,5" }) {
			assertThat(remainingMillis(this.port, "x-envoy-expected-rq-timeout-ms", hostile)).as(hostile)
				.isBetween(1501L, 5000L);
		}
	}

	@Test
	void repeatedGrpcTimeoutIsIgnored() throws Exception {
		assertThat(remainingMillis(this.port, "grpc-timeout", "100m", "grpc-timeout", "200m")).isBetween(1501L,
				5000L);
	}

	static long remainingMillis(int port, String... headers) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/remaining"))
			.timeout(Duration.ofSeconds(20))
			.headers(headers)
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return Long.parseLong(response.body());
	}

	@Nested
	@SpringBootTest(classes = RequestScopeTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = { "cancelscope.request.timeout=5s",
					"cancelscope.request.deadline-headers.inbound.formats=timeout-header" })
	class WhenOnlyTheTimeoutHeaderIsRead {

		@LocalServerPort
		private int port;

		@Test
		void otherFormatsAreIgnored() throws Exception {
			assertThat(remainingMillis(this.port, "grpc-timeout", "100m", "x-envoy-expected-rq-timeout-ms", "100"))
				.isBetween(1501L, 5000L);
			assertThat(remainingMillis(this.port, "X-Request-Timeout-Ms", "1500")).isBetween(1L, 1500L);
		}

	}

}
