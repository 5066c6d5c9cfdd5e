package io.github.cancelscope.autoconfigure.web.servlet;

import java.time.Duration;
import java.util.Enumeration;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Works out the timeout of a request scope: the configured default, shortened by the caller's
 * timeout header, capped by the configured maximum. A malformed header is ignored.
 */
final class RequestTimeouts {

	private static final Log logger = LogFactory.getLog(RequestTimeouts.class);

	// 10^17 ms is over three million years: longer values are hostile, not deadlines
	private static final int MAX_DIGITS = 17;

	private final @Nullable Duration defaultTimeout;

	private final @Nullable Duration maxTimeout;

	private final @Nullable String header;

	RequestTimeouts(@Nullable Duration defaultTimeout, @Nullable Duration maxTimeout, @Nullable String header) {
		this.defaultTimeout = defaultTimeout;
		this.maxTimeout = maxTimeout;
		this.header = StringUtils.hasText(header) ? header : null;
	}

	@Nullable Duration timeoutOf(HttpServletRequest request) {
		Duration timeout = earlier(this.defaultTimeout, requested(request));
		return earlier(timeout, this.maxTimeout);
	}

	private @Nullable Duration requested(HttpServletRequest request) {
		if (this.header == null) {
			return null;
		}
		Enumeration<String> values = request.getHeaders(this.header);
		if (values == null || !values.hasMoreElements()) {
			return null;
		}
		String value = values.nextElement();
		if (values.hasMoreElements()) {
			ignore("it is repeated", value);
			return null;
		}
		long millis = parseMillis(value);
		if (millis < 0) {
			ignore("it is not a number of milliseconds between 0 and 10^17", value);
			return null;
		}
		return Duration.ofMillis(millis);
	}

	/**
	 * Parses a plain non-negative decimal number, without sign, spaces or exponent.
	 * @return the number, or -1 if the value is not one
	 */
	static long parseMillis(@Nullable String value) {
		if (value == null || value.isEmpty() || value.length() > MAX_DIGITS) {
			return -1;
		}
		long millis = 0;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			millis = millis * 10 + (c - '0');
		}
		return millis;
	}

	private void ignore(String why, String value) {
		if (logger.isDebugEnabled()) {
			String shown = (value.length() > 40) ? value.substring(0, 40) + "..." : value;
			logger.debug("Ignoring header " + this.header + ": " + why + " (value '" + shown.replaceAll("\\p{Cntrl}", "?")
					+ "')");
		}
	}

	private static @Nullable Duration earlier(@Nullable Duration a, @Nullable Duration b) {
		if (a == null) {
			return b;
		}
		if (b == null) {
			return a;
		}
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
