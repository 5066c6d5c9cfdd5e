package io.github.cancelscope.web;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DeadlineHeader}.
 */
class DeadlineHeaderTests {

	private static final String[] HOSTILE_MILLIS = { "", " ", " 100", "100 ", "\t100", "-1", "+1", "1.5", "1e3",
			"0x10", "١٢٣", "１２３", "12 3", "1,5", "100, 200", "100ms", "NaN", "100000000000000000",
			"99999999999999999999999", "9223372036854775807", "9223372036854775808", "1\u0000" };

	@ParameterizedTest
	@EnumSource(value = DeadlineHeader.class, names = { "TIMEOUT_HEADER", "ENVOY_EXPECTED_RQ_TIMEOUT" })
	void millisecondHeadersRejectEveryHostileValue(DeadlineHeader header) {
		for (String hostile : HOSTILE_MILLIS) {
			assertThat(header.parse(hostile)).as("'%s'", hostile).isNull();
		}
		assertThat(header.parse(null)).isNull();
	}

	@ParameterizedTest
	@EnumSource(value = DeadlineHeader.class, names = { "TIMEOUT_HEADER", "ENVOY_EXPECTED_RQ_TIMEOUT" })
	void millisecondHeadersParsePlainDigits(DeadlineHeader header) {
		assertThat(header.parse("0")).isEqualTo(Duration.ZERO);
		assertThat(header.parse("1500")).isEqualTo(Duration.ofMillis(1500));
		assertThat(header.parse("0001500")).isEqualTo(Duration.ofMillis(1500));
		assertThat(header.parse("99999999999999999")).isEqualTo(Duration.ofMillis(99999999999999999L));
	}

	@ParameterizedTest
	@CsvSource({ "1H, PT1H", "2M, PT2M", "3S, PT3S", "1500m, PT1.5S", "250u, PT0.00025S", "7n, PT0.000000007S",
			"0m, PT0S", "00000001S, PT1S", "99999999H, PT99999999H", "99999999n, PT0.099999999S" })
	void grpcTimeoutParsesEveryUnit(String value, Duration expected) {
		assertThat(DeadlineHeader.GRPC_TIMEOUT.parse(value)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "m", "S", "100", "100000000S", "123456789m", "1s", "1h", "1ms", "1 S", " 1S", "1S ",
			"-1S", "+1S", "1.5S", "1e3m", "0x10S", "١٢٣S", "１S", "1SS", "1Sm", "1,2S", "1S, 2S", "1\u0000S",
			"99999999999999999999999S" })
	void grpcTimeoutRejectsEveryHostileValue(String hostile) {
		assertThat(DeadlineHeader.GRPC_TIMEOUT.parse(hostile)).isNull();
	}

	@ParameterizedTest
	@CsvSource({ "PT0S, 0n", "PT0.000000007S, 7n", "PT0.099999999S, 99999999n", "PT0.1S, 100000u",
			"PT0.999999999S, 999999u", "PT1S, 1000m", "PT1.2345S, 1234m", "PT27H46M39.999S, 99999999m",
			"PT27H46M40S, 100000S", "PT100000000S, 1666666M", "PT2000000H, 2000000H",
			"PT999999999H, 99999999H" })
	void grpcTimeoutIsSentInTheFinestUnitThatFitsEightDigitsRoundedDown(Duration remaining, String expected) {
		assertThat(DeadlineHeader.GRPC_TIMEOUT.format(remaining)).isEqualTo(expected);
		assertThat(DeadlineHeader.GRPC_TIMEOUT.parse(expected)).isLessThanOrEqualTo(remaining);
	}

	@Test
	void millisecondHeadersAreSentRoundedDown() {
		assertThat(DeadlineHeader.TIMEOUT_HEADER.format(Duration.ofNanos(1_999_999))).isEqualTo("1");
		assertThat(DeadlineHeader.ENVOY_EXPECTED_RQ_TIMEOUT.format(Duration.ofSeconds(2))).isEqualTo("2000");
		assertThat(DeadlineHeader.TIMEOUT_HEADER.format(Duration.ofMillis(-5))).isEqualTo("0");
	}

	@Test
	void headerNames() {
		assertThat(DeadlineHeader.TIMEOUT_HEADER.headerName("X-Deadline")).isEqualTo("X-Deadline");
		assertThat(DeadlineHeader.GRPC_TIMEOUT.headerName("X-Deadline")).isEqualTo("grpc-timeout");
		assertThat(DeadlineHeader.ENVOY_EXPECTED_RQ_TIMEOUT.headerName("X-Deadline"))
			.isEqualTo("x-envoy-expected-rq-timeout-ms");
	}

}
