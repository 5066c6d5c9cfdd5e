package io.github.cancelscope.autoconfigure.web.servlet;

import java.time.Duration;

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

	private static MockHttpServletRequest request(String value) {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.addHeader(HEADER, value);
		return request;
	}

}
