package io.github.cancelscope.autoconfigure.web.servlet;

import java.io.IOException;
import java.util.List;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers a handler's {@link ScopeCancelledException} (anywhere in its cause chain) by its reason,
 * before the application's own exception handlers: a passed deadline is a 504 whatever handles
 * {@code Exception}. For {@link CancellationReason#SIBLING_FAILED}, the original failure goes to the
 * resolvers that come after this one ({@code @ExceptionHandler}, {@code @ResponseStatus}, ...); if
 * none handles it, the request filter hands it to the container's error handling, exactly as if the
 * handler had thrown it.
 */
final class ScopeCancelledExceptionResolver implements HandlerExceptionResolver {

	private final List<HandlerExceptionResolver> resolvers;

	/**
	 * Creates a resolver that consults, for a sibling's failure, the resolvers that follow it.
	 * @param resolvers the dispatcher's resolvers, this one among them
	 */
	ScopeCancelledExceptionResolver(List<HandlerExceptionResolver> resolvers) {
		this.resolvers = resolvers;
	}

	@Override
	public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
			@Nullable Object handler, Exception ex) {
		ScopeCancelledException cancelled = ScopeCancelledException.findIn(ex);
		if (cancelled == null) {
			return null;
		}
		try {
			if (ProblemResponses.answer(cancelled.reason(), request, response)) {
				return new ModelAndView();
			}
		}
		catch (IOException writeFailure) {
			return new ModelAndView();
		}
		if (!(cancelled.getCause() instanceof Exception original)) {
			return null;
		}
		boolean following = false;
		for (HandlerExceptionResolver resolver : this.resolvers) {
			if (following) {
				ModelAndView resolved = resolver.resolveException(request, response, handler, original);
				if (resolved != null) {
					return resolved;
				}
			}
			following |= (resolver == this);
		}
		return null;
	}

}
