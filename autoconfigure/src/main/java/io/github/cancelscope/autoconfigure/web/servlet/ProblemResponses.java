package io.github.cancelscope.autoconfigure.web.servlet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.github.cancelscope.CancellationReason;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Writes the HTTP outcome of a cancelled request: an RFC 9457 problem for a passed deadline (504),
 * a shutdown or an explicit cancellation (503), nothing for a client that went away (only the
 * status 499, for metrics and access logs). No internal detail reaches the body.
 */
final class ProblemResponses {

	/** Status recorded for a request whose client went away, as nginx and others do. */
	static final int CLIENT_CLOSED_REQUEST = 499;

	private ProblemResponses() {
	}

	/**
	 * Answers a request cancelled for {@code reason}, if its response is not committed yet.
	 * @return {@code false} for {@link CancellationReason#SIBLING_FAILED}, whose original failure
	 * belongs to the application's normal error handling; {@code true} otherwise
	 */
	static boolean answer(CancellationReason reason, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		if (reason == CancellationReason.SIBLING_FAILED) {
			return false;
		}
		if (response.isCommitted()) {
			return true;
		}
		if (reason == CancellationReason.CLIENT_DISCONNECTED) {
			// nobody reads it; the status keeps metrics and access logs from counting a success
			response.setStatus(CLIENT_CLOSED_REQUEST);
			return true;
		}
		HttpStatus status = (reason == CancellationReason.DEADLINE_EXCEEDED) ? HttpStatus.GATEWAY_TIMEOUT
				: HttpStatus.SERVICE_UNAVAILABLE;
		response.resetBuffer();
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.getOutputStream().write(body(status, reason, request).getBytes(StandardCharsets.UTF_8));
		return true;
	}

	private static String body(HttpStatus status, CancellationReason reason, HttpServletRequest request) {
		String detail = switch (reason) {
			case DEADLINE_EXCEEDED -> "The request did not complete within its deadline.";
			case SHUTDOWN -> "The server is shutting down; retry the request.";
			default -> "The request was cancelled.";
		};
		return "{\"type\":\"about:blank\",\"title\":\"" + status.getReasonPhrase() + "\",\"status\":" + status.value()
				+ ",\"detail\":\"" + detail + "\",\"instance\":\"" + jsonEscape(request.getRequestURI())
				+ "\",\"reason\":\"" + reason.name() + "\"}";
	}

	private static String jsonEscape(String value) {
		StringBuilder escaped = new StringBuilder(value.length());
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> escaped.append("\\\"");
				case '\\' -> escaped.append("\\\\");
				default -> {
					if (c < 0x20) {
						escaped.append(String.format("\\u%04x", (int) c));
					}
					else {
						escaped.append(c);
					}
				}
			}
		}
		return escaped.toString();
	}

}
