package io.github.cancelscope.web;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A header that carries the time a caller has left, relative to when the request is received.
 * Inbound, a request's deadline is the earliest of the values it carries; outbound, a call in a
 * scope sends the scope's remaining time, unchanged, in each header chosen.
 * <p>
 * Values are parsed strictly: anything but the exact format (signs, spaces, exponents, other
 * digits than ASCII, too many digits) is not a deadline. Methods never throw for a value.
 */
public enum DeadlineHeader {

	/**
	 * The configured timeout header ({@code cancelscope.request.timeout-header}, by default
	 * {@code X-Request-Timeout-Ms}): milliseconds as up to 17 ASCII digits.
	 */
	TIMEOUT_HEADER(null),

	/**
	 * gRPC's {@code grpc-timeout}: up to 8 ASCII digits and a unit, {@code H}, {@code M},
	 * {@code S}, {@code m} (milliseconds), {@code u} (microseconds) or {@code n} (nanoseconds).
	 */
	GRPC_TIMEOUT("grpc-timeout"),

	/**
	 * Envoy's {@code x-envoy-expected-rq-timeout-ms}, which Envoy sends upstream: milliseconds as
	 * up to 17 ASCII digits.
	 */
	ENVOY_EXPECTED_RQ_TIMEOUT("x-envoy-expected-rq-timeout-ms");

	// 10^17 ms is over three million years: longer values are hostile, not deadlines
	private static final int MAX_MILLIS_DIGITS = 17;

	private static final int MAX_GRPC_DIGITS = 8;

	private static final long MAX_GRPC_VALUE = 99_999_999L;

	private final @Nullable String fixedName;

	DeadlineHeader(@Nullable String fixedName) {
		this.fixedName = fixedName;
	}

	/**
	 * Returns the name of this header.
	 * @param timeoutHeader the configured timeout header, the name of {@link #TIMEOUT_HEADER}
	 * @return the name
	 */
	public String headerName(String timeoutHeader) {
		return (this.fixedName != null) ? this.fixedName : timeoutHeader;
	}

	/**
	 * Parses a value of this header.
	 * @param value the value as received
	 * @return the time it gives, or {@code null} if the value is not in this header's format
	 */
	public @Nullable Duration parse(@Nullable String value) {
		if (value == null) {
			return null;
		}
		if (this == GRPC_TIMEOUT) {
			return parseGrpcTimeout(value);
		}
		long millis = parseDigits(value, MAX_MILLIS_DIGITS);
		return (millis >= 0) ? Duration.ofMillis(millis) : null;
	}

	/**
	 * Formats a remaining time as a value of this header, rounded down: whole milliseconds, or for
	 * {@code grpc-timeout} the finest unit that fits in 8 digits.
	 * @param remaining the remaining time; negative counts as zero
	 * @return the value
	 */
	public String format(Duration remaining) {
		Duration time = remaining.isNegative() ? Duration.ZERO : remaining;
		if (this == GRPC_TIMEOUT) {
			return formatGrpcTimeout(time);
		}
		return Long.toString(time.toMillis());
	}

	private static @Nullable Duration parseGrpcTimeout(String value) {
		if (value.length() < 2 || value.length() > MAX_GRPC_DIGITS + 1) {
			return null;
		}
		long amount = parseDigits(value.substring(0, value.length() - 1), MAX_GRPC_DIGITS);
		if (amount < 0) {
			return null;
		}
		switch (value.charAt(value.length() - 1)) {
			case 'H':
				return Duration.ofHours(amount);
			case 'M':
				return Duration.ofMinutes(amount);
			case 'S':
				return Duration.ofSeconds(amount);
			case 'm':
				return Duration.ofMillis(amount);
			case 'u':
				return Duration.ofNanos(amount * 1_000);
			case 'n':
				return Duration.ofNanos(amount);
			default:
				return null;
		}
	}

	private static String formatGrpcTimeout(Duration time) {
		long seconds = time.getSeconds();
		if (seconds < 1) {
			long nanos = time.getNano();
			return (nanos <= MAX_GRPC_VALUE) ? nanos + "n" : (nanos / 1_000) + "u";
		}
		if (seconds <= MAX_GRPC_VALUE / 1_000) {
			return (seconds * 1_000 + time.getNano() / 1_000_000) + "m";
		}
		if (seconds <= MAX_GRPC_VALUE) {
			return seconds + "S";
		}
		long minutes = seconds / 60;
		if (minutes <= MAX_GRPC_VALUE) {
			return minutes + "M";
		}
		return Math.min(seconds / 3600, MAX_GRPC_VALUE) + "H";
	}

	/**
	 * Parses a plain non-negative decimal number of ASCII digits, without sign, spaces or exponent.
	 * @return the number, or -1 if the value is not one
	 */
	private static long parseDigits(String value, int maxDigits) {
		if (value.isEmpty() || value.length() > maxDigits) {
			return -1;
		}
		long number = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			number = number * 10 + (c - '0');
		}
		return number;
	}

}
