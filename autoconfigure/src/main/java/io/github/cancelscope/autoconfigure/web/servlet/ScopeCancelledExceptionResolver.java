package io.github.cancelscope.autoconfigure.web.servlet;

import java.io.IOException;
import java.util.List;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.ErrorResponseException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.DefaultHandlerExceptionResolver;

/**
 * Answers a handler's {@link ScopeCancelledException} (anywhere in its cause chain) by the outcome
 * that {@link CancellationResponses} gives its reason, through the application's own exception
 * handling. It comes first among the dispatcher's resolvers and hands the others, in their order:
 * <ul>
 * <li>for a problem (a passed deadline, a shutdown, an explicit cancellation), the
 * {@link ErrorResponseException} whose cause is the cancellation, so that an
 * {@code @ExceptionHandler}, a {@code ResponseEntityExceptionHandler} and problem-detail
 * customisations apply. If none of the resolvers before {@link DefaultHandlerExceptionResolver}
 * answers it (that one would send an error page), the problem is written here;</li>
 * <li>for {@link CancellationReason#SIBLING_FAILED}, the original failure. If none handles it, the
 * request filter hands it to the container's error handling, exactly as if the handler had thrown
 * it;</li>
 * <li>for a client that went away, nothing: status 499, nothing written.</li>
 * </ul>
 */
final class ScopeCancelledExceptionResolver implements HandlerExceptionResolver {

	private final List<HandlerExceptionResolver> resolvers;

	private final CancellationResponses responses;

	/**
	 * Creates a resolver that consults the resolvers that follow it.
	 * @param resolvers the dispatcher's resolvers, this one among them
	 * @param responses the outcomes of cancelled requests
	 */
	ScopeCancelledExceptionResolver(List<HandlerExceptionResolver> resolvers, CancellationResponses responses) {
		this.resolvers = resolvers;
		this.responses = responses;
	}

	@Override
	public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
			@Nullable Object handler, Exception ex) {
		ScopeCancelledException cancelled = ScopeCancelledException.findIn(ex);
		if (cancelled == null) {
			return null;
		}
		return switch (CancellationResponses.outcomeOf(cancelled.reason())) {
			case PROBLEM -> resolveProblem(CancellationResponses.problem(cancelled, request), request, response,
					handler);
			case CLIENT_GONE -> {
				this.responses.clientGone(response);
				yield new ModelAndView();
			}
			case ORIGINAL_FAILURE -> (cancelled.getCause() instanceof Exception original)
					? resolveByFollowing(original, request, response, handler, false) : null;
		};
	}

	private ModelAndView resolveProblem(ErrorResponseException problem, HttpServletRequest request,
			HttpServletResponse response, @Nullable Object handler) {
		ModelAndView resolved = resolveByFollowing(problem, request, response, handler, true);
		if (resolved != null) {
			return resolved;
		}
		try {
			this.responses.write(problem, request, response);
		}
		catch (IOException ex) {
			// the client cannot be written to: there is nobody left to answer
		}
		return new ModelAndView();
	}

	private @Nullable ModelAndView resolveByFollowing(Exception ex, HttpServletRequest request,
			HttpServletResponse response, @Nullable Object handler, boolean beforeDefaultResolver) {
		boolean following = false;
		for (HandlerExceptionResolver resolver : this.resolvers) {
			if (following) {
				if (beforeDefaultResolver && resolver instanceof DefaultHandlerExceptionResolver) {
					return null;
				}
				ModelAndView resolved = resolver.resolveException(request, response, handler, ex);
				if (resolved != null) {
					return resolved;
				}
			}
			following |= (resolver == this);
		}
		return null;
	}

}
