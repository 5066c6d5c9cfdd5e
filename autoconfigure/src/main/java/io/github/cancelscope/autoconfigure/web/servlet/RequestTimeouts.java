package io.github.cancelscope.autoconfigure.web.servlet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.github.cancelscope.web.DeadlineHeader;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Works out the timeout of a request scope: the configured default, shortened by the earliest of
 * the caller's {@linkplain DeadlineHeader deadline headers}, capped by the configured maximum. A
 * malformed or repeated header is ignored.
 */
final class RequestTimeouts {

	private static final Log logger = LogFactory.getLog(RequestTimeouts.class);

	private final @Nullable Duration defaultTimeout;

	private final @Nullable Duration maxTimeout;

	private final Inbound[] headers;

	/**
	 * Creates an instance that reads every {@link DeadlineHeader}.
	 */
	RequestTimeouts(@Nullable Duration defaultTimeout, @Nullable Duration maxTimeout, @Nullable String timeoutHeader) {
		this(defaultTimeout, maxTimeout, timeoutHeader, EnumSet.allOf(DeadlineHeader.class));
	}

	RequestTimeouts(@Nullable Duration defaultTimeout, @Nullable Duration maxTimeout, @Nullable String timeoutHeader,
			Collection<DeadlineHeader> read) {
		this.defaultTimeout = defaultTimeout;
		this.maxTimeout = maxTimeout;
		this.headers = inbound(timeoutHeader, read);
	}

	private static Inbound[] inbound(@Nullable String timeoutHeader, Collection<DeadlineHeader> read) {
		List<Inbound> headers = new ArrayList<>();
		Set<String> names = new HashSet<>();
		EnumSet<DeadlineHeader> inOrder = EnumSet.noneOf(DeadlineHeader.class);
		inOrder.addAll(read);
		for (DeadlineHeader header : inOrder) {
			if (header == DeadlineHeader.TIMEOUT_HEADER && !StringUtils.hasText(timeoutHeader)) {
				continue;
			}
			String name = header.headerName((timeoutHeader != null) ? timeoutHeader : "");
			if (names.add(name.toLowerCase(Locale.ROOT))) {
				headers.add(new Inbound(header, name));
			}
		}
		return headers.toArray(new Inbound[0]);
	}

	@Nullable Duration timeoutOf(HttpServletRequest request) {
		Duration timeout = this.defaultTimeout;
		for (Inbound header : this.headers) {
			timeout = earlier(timeout, header.requested(request));
		}
		return earlier(timeout, this.maxTimeout);
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

	/**
	 * One header read on inbound requests.
	 */
	private record Inbound(DeadlineHeader format, String name) {

		@Nullable Duration requested(HttpServletRequest request) {
			// most requests carry none of the headers: look them up without allocating first
			if (request.getHeader(this.name) == null) {
				return null;
			}
			Enumeration<String> values = request.getHeaders(this.name);
			if (values == null || !values.hasMoreElements()) {
				return null;
			}
			String value = values.nextElement();
			if (values.hasMoreElements()) {
				ignore("it is repeated", value);
				return null;
			}
			Duration requested = this.format.parse(value);
			if (requested == null) {
				ignore("it is not in the format of " + this.format, value);
			}
			return requested;
		}

		private void ignore(String why, String value) {
			if (logger.isDebugEnabled()) {
				String shown = (value.length() > 40) ? value.substring(0, 40) + "..." : value;
				logger.debug("Ignoring header " + this.name + ": " + why + " (value '"
						+ shown.replaceAll("\\p{Cntrl}", "?") + "')");
			}
		}

	}

}
