package io.github.cancelscope.autoconfigure.web.servlet;

import java.time.Duration;
import java.util.List;

import io.github.cancelscope.web.DeadlineHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RequestTimeouts}.
 */
class RequestTimeoutsTests {

	private static final String HEADER = "X-Request-Timeout-Ms";

	private static final String GRPC = "grpc-timeout";

	private static final String ENVOY = "x-envoy-expected-rq-timeout-ms";

	private final RequestTimeouts timeouts = new RequestTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10),
			HEADER);

	@ParameterizedTest
	@ValueSource(strings = { "", "-1", "+1", "1.5", "1e3", "0x10", "١٢٣", "12 3", "100000000000000000",
			"99999999999999999999999", "9223372036854775807", "NaN" })
	void malformedHeaderIsIgnored(String value) {
		assertThat(this.timeouts.timeoutOf(request(value))).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void headerShortensTheDefault() {
		assertThat(this.timeouts.timeoutOf(request("1200"))).isEqualTo(Duration.ofMillis(1200));
	}

	@Test
	void headerCannotLengthenTheDefault() {
		assertThat(this.timeouts.timeoutOf(request("7000"))).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void maxTimeoutCapsAHeaderWhenThereIsNoDefault() {
		RequestTimeouts capped = new RequestTimeouts(null, Duration.ofSeconds(1), HEADER);
		assertThat(capped.timeoutOf(request("10000"))).isEqualTo(Duration.ofSeconds(1));
		assertThat(capped.timeoutOf(new MockHttpServletRequest())).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void headerSetsTheDeadlineWhenThereIsNoDefault() {
		RequestTimeouts open = new RequestTimeouts(null, null, HEADER);
		assertThat(open.timeoutOf(request("250"))).isEqualTo(Duration.ofMillis(250));
		assertThat(open.timeoutOf(new MockHttpServletRequest())).isNull();
	}

	@Test
	void repeatedHeaderIsIgnored() {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.addHeader(HEADER, "100");
		request.addHeader(HEADER, "200");
		assertThat(this.timeouts.timeoutOf(request)).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void emptyHeaderNameIgnoresTheHeader() {
		RequestTimeouts noHeader = new RequestTimeouts(Duration.ofSeconds(5), null, "");
		assertThat(noHeader.timeoutOf(request("100"))).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void grpcTimeoutShortensTheDefault() {
		assertThat(this.timeouts.timeoutOf(request(GRPC, "1200m"))).isEqualTo(Duration.ofMillis(1200));
		assertThat(this.timeouts.timeoutOf(request(GRPC, "250000u"))).isEqualTo(Duration.ofMillis(250));
	}

	@Test
	void envoyExpectedTimeoutShortensTheDefault() {
		assertThat(this.timeouts.timeoutOf(request(ENVOY, "1200"))).isEqualTo(Duration.ofMillis(1200));
	}

	@Test
	void earliestOfTheHeadersWins() {
		MockHttpServletRequest request = request(HEADER, "3000", GRPC, "2S", ENVOY, "2500");
		assertThat(this.timeouts.timeoutOf(request)).isEqualTo(Duration.ofSeconds(2));
		request.removeHeader(GRPC);
		assertThat(this.timeouts.timeoutOf(request)).isEqualTo(Duration.ofMillis(2500));
	}

	@Test
	void malformedHeaderDoesNotHideAWellFormedOne() {
		assertThat(this.timeouts.timeoutOf(request(HEADER, "1e3", GRPC, "1500m", ENVOY, "-1")))
			.isEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void grpcTimeoutCannotLengthenPastTheMaximum() {
		RequestTimeouts capped = new RequestTimeouts(null, Duration.ofSeconds(10), HEADER);
		assertThat(capped.timeoutOf(request(GRPC, "99999999H"))).isEqualTo(Duration.ofSeconds(10));
		assertThat(capped.timeoutOf(request(ENVOY, "99999999999999999"))).isEqualTo(Duration.ofSeconds(10));
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "1500", "1500 m", " 1500m", "-1m", "+1m", "1.5S", "1e3m", "0x10S", "١٢٣m",
			"123456789m", "1500ms", "1s" })
	void malformedGrpcTimeoutIsIgnored(String value) {
		assertThat(this.timeouts.timeoutOf(request(GRPC, value))).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void repeatedGrpcTimeoutIsIgnored() {
		MockHttpServletRequest request = request(GRPC, "100m", GRPC, "200m");
		assertThat(this.timeouts.timeoutOf(request)).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void switchedOffFormatsAreNotRead() {
		RequestTimeouts onlyGrpc = new RequestTimeouts(Duration.ofSeconds(5), null, HEADER,
				List.of(DeadlineHeader.GRPC_TIMEOUT));
		assertThat(onlyGrpc.timeoutOf(request(HEADER, "100"))).isEqualTo(Duration.ofSeconds(5));
		assertThat(onlyGrpc.timeoutOf(request(ENVOY, "100"))).isEqualTo(Duration.ofSeconds(5));
		assertThat(onlyGrpc.timeoutOf(request(GRPC, "100m"))).isEqualTo(Duration.ofMillis(100));
		RequestTimeouts none = new RequestTimeouts(Duration.ofSeconds(5), null, HEADER, List.of());
		assertThat(none.timeoutOf(request(GRPC, "100m"))).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void timeoutHeaderNamedLikeAnotherFormatIsReadOnce() {
		RequestTimeouts sameName = new RequestTimeouts(Duration.ofSeconds(5), null, "grpc-timeout");
		assertThat(sameName.timeoutOf(request(GRPC, "100"))).as("read as milliseconds, the configured header")
			.isEqualTo(Duration.ofMillis(100));
	}

	private static MockHttpServletRequest request(String... namesAndValues) {
		MockHttpServletRequest request = new MockHttpServletRequest();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			request.addHeader(namesAndValues[i], namesAndValues[i + 1]);
		}
		return request;
	}

	private static MockHttpServletRequest request(String value) {
		return request(HEADER, value);
	}

}
