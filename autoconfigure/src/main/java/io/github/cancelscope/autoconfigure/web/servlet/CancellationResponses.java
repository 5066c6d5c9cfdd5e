package io.github.cancelscope.autoconfigure.web.servlet;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.function.Supplier;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.context.MessageSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.ErrorResponse;
import org.springframework.web.ErrorResponseException;

/**
 * Turns the cancellation of a request into its HTTP outcome: the one place that maps a
 * {@link CancellationReason} to a response.
 * <ul>
 * <li>{@link CancellationReason#DEADLINE_EXCEEDED DEADLINE_EXCEEDED} is a 504, and
 * {@link CancellationReason#SHUTDOWN SHUTDOWN} and {@link CancellationReason#CANCELLED CANCELLED}
 * are a 503, each an {@link ErrorResponse} whose RFC 9457 {@link ProblemDetail} has type
 * {@code about:blank}, the status's title, a detail without internals, the request URI as instance
 * and the reason as property {@value #REASON_PROPERTY}. Its detail can be localised with the
 * message code {@code problemDetail.io.github.cancelscope.ScopeCancelledException.<REASON>}.</li>
 * <li>{@link CancellationReason#CLIENT_DISCONNECTED CLIENT_DISCONNECTED} writes nothing: nobody
 * reads it. The status is 499, so metrics and access logs do not count a success.</li>
 * <li>{@link CancellationReason#SIBLING_FAILED SIBLING_FAILED} is the original failure's, which
 * goes to the application's normal error handling.</li>
 * </ul>
 * Where Spring MVC handles the request, {@link ScopeCancelledExceptionResolver} offers the error
 * response to the application's exception handlers first; a response written here uses the
 * application's message converters, so its JSON customisations apply.
 */
final class CancellationResponses {

	/** Status recorded for a request whose client went away, as nginx and others do. */
	static final int CLIENT_CLOSED_REQUEST = 499;

	/** Property of the problem detail that names the reason. */
	static final String REASON_PROPERTY = "reason";

	private static final URI ABOUT_BLANK = URI.create("about:blank");

	private final Supplier<? extends List<HttpMessageConverter<?>>> converters;

	private final @Nullable MessageSource messageSource;

	/**
	 * Creates the responses.
	 * @param converters the message converters that write a problem detail, asked for when the
	 * first is written
	 * @param messageSource resolves the problem details' message codes, or {@code null}
	 */
	CancellationResponses(Supplier<? extends List<HttpMessageConverter<?>>> converters,
			@Nullable MessageSource messageSource) {
		this.converters = converters;
		this.messageSource = messageSource;
	}

	/**
	 * What a cancelled request is answered with.
	 */
	enum Outcome {

		/** An {@link ErrorResponse} with a problem detail. */
		PROBLEM,

		/** Nothing written, status 499. */
		CLIENT_GONE,

		/** The original failure, for the application's error handling. */
		ORIGINAL_FAILURE

	}

	static Outcome outcomeOf(CancellationReason reason) {
		return switch (reason) {
			case DEADLINE_EXCEEDED, SHUTDOWN, CANCELLED -> Outcome.PROBLEM;
			case CLIENT_DISCONNECTED -> Outcome.CLIENT_GONE;
			case SIBLING_FAILED -> Outcome.ORIGINAL_FAILURE;
		};
	}

	/**
	 * Returns the error response of a request cancelled with an {@link Outcome#PROBLEM} outcome.
	 * @param cancelled the cancellation, which becomes the error response's cause
	 * @param request the request
	 * @return the error response
	 */
	static ErrorResponseException problem(ScopeCancelledException cancelled, HttpServletRequest request) {
		CancellationReason reason = cancelled.reason();
		HttpStatus status = (reason == CancellationReason.DEADLINE_EXCEEDED) ? HttpStatus.GATEWAY_TIMEOUT
				: HttpStatus.SERVICE_UNAVAILABLE;
		String detail = switch (reason) {
			case DEADLINE_EXCEEDED -> "The request did not complete within its deadline.";
			case SHUTDOWN -> "The server is shutting down; retry the request.";
			default -> "The request was cancelled.";
		};
		ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
		body.setType(ABOUT_BLANK);
		body.setInstance(instance(request));
		body.setProperty(REASON_PROPERTY, reason.name());
		return new ErrorResponseException(status, body, cancelled,
				ErrorResponse.getDefaultDetailMessageCode(ScopeCancelledException.class, reason.name()), null);
	}

	private static @Nullable URI instance(HttpServletRequest request) {
		String path = request.getRequestURI();
		try {
			return new URI(path);
		}
		catch (URISyntaxException ex) {
			try {
				// quotes what a lenient container let through
				return new URI(null, null, path, null);
			}
			catch (URISyntaxException unusable) {
				return null;
			}
		}
	}

	/**
	 * Answers a cancelled request, if its response is not committed yet: writes its problem, or
	 * marks its client gone.
	 * @param cancelled the cancellation
	 * @param request the request
	 * @param response its response
	 * @return {@code false} for {@link Outcome#ORIGINAL_FAILURE}, which belongs to the application's
	 * normal error handling; {@code true} otherwise
	 * @throws IOException if the problem could not be written
	 */
	boolean answer(ScopeCancelledException cancelled, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		switch (outcomeOf(cancelled.reason())) {
			case PROBLEM -> write(problem(cancelled, request), request, response);
			case CLIENT_GONE -> clientGone(response);
			case ORIGINAL_FAILURE -> {
				return false;
			}
		}
		return true;
	}

	/**
	 * Records that a request's client went away: status 499, nothing written.
	 * @param response the response
	 */
	void clientGone(HttpServletResponse response) {
		if (!response.isCommitted()) {
			response.setStatus(CLIENT_CLOSED_REQUEST);
		}
	}

	/**
	 * Writes an error response as {@code application/problem+json}, if the response is not
	 * committed yet. Without a converter that writes JSON, only the status and headers are set.
	 * @param problem the error response
	 * @param request the request
	 * @param response its response
	 * @throws IOException if writing failed
	 */
	@SuppressWarnings("unchecked")
	void write(ErrorResponse problem, HttpServletRequest request, HttpServletResponse response) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		ProblemDetail body = (this.messageSource != null)
				? problem.updateAndGetBody(this.messageSource, request.getLocale()) : problem.getBody();
		response.resetBuffer();
		response.setStatus(problem.getStatusCode().value());
		problem.getHeaders().forEach((name, values) -> values.forEach((value) -> response.addHeader(name, value)));
		for (HttpMessageConverter<?> converter : this.converters.get()) {
			if (converter.canWrite(ProblemDetail.class, MediaType.APPLICATION_PROBLEM_JSON)) {
				ServletServerHttpResponse output = new ServletServerHttpResponse(response);
				((HttpMessageConverter<Object>) converter).write(body, MediaType.APPLICATION_PROBLEM_JSON, output);
				output.flush();
				return;
			}
		}
	}

}
