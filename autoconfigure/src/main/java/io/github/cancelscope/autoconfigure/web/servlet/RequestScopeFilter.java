package io.github.cancelscope.autoconfigure.web.servlet;

import java.io.IOException;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.web.servlet.ClientDisconnectWatch;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Gives each request a scope of kind {@value ScopeOptions#REQUEST}, described by its method and
 * URI, a child of the application scope, current for the whole filter chain and handler, and closes
 * it (forks ended, cleanups run) when the chain returns, before the container completes the
 * response; a body the handler flushed may have reached the client by then. A
 * {@link ScopeCancelledException} that escapes the chain (Spring MVC answers those of its handlers
 * itself) is answered by {@link CancellationResponses}. While the handler works, a
 * {@link ClientDisconnectWatch} may cancel the scope when the client goes away.
 * <p>
 * Registered for {@code REQUEST} dispatches only, it runs once per request without the request
 * attribute that {@code OncePerRequestFilter} reads, sets and removes on each one.
 */
final class RequestScopeFilter implements Filter {

	private static final Log logger = LogFactory.getLog(RequestScopeFilter.class);

	private static final ScopeOptions REQUEST = ScopeOptions.of(ScopeOptions.REQUEST);

	private final CancellableScope applicationScope;

	private final RequestTimeouts timeouts;


	private final ClientDisconnectWatch disconnects;

	private final CancellationResponses responses;

	RequestScopeFilter(CancellableScope applicationScope, RequestTimeouts timeouts,
			ClientDisconnectWatch disconnects, CancellationResponses responses) {
		this.applicationScope = applicationScope;
		this.timeouts = timeouts;
		this.disconnects = disconnects;
		this.responses = responses;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse httpResponse) {
			doFilter(http, httpResponse, chain);
		}
		else {
			chain.doFilter(request, response);
		}
	}

	private void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		CancellableScope scope;
		try {
			scope = this.applicationScope.openChild(REQUEST
				.withDescription(request.getMethod() + " " + request.getRequestURI())
				.withTimeout(this.timeouts.timeoutOf(request)));
		}
		catch (IllegalStateException ex) {
			// the application scope has ended: the application is shutting down
			this.responses.answer(Cancellation.of(CancellationReason.SHUTDOWN, null).toException(), request,
					response);
			return;
		}
		ClientDisconnectWatch.Watch disconnect = ClientDisconnectWatch.Watch.NONE;
		Throwable failure = null;
		try {
			disconnect = this.disconnects.watch(request, response, scope);
			scope.call(() -> {
				// a request that arrives cancelled (a zero timeout, or after the shutdown grace) is
				// answered without running the handler
				scope.throwIfCancelled();
				chain.doFilter(request, response);
				return null;
			});
		}
		catch (IOException | ServletException | RuntimeException | Error ex) {
			failure = ex;
		}
		catch (Throwable ex) {
			failure = new ServletException(ex);
		}
		if (request.isAsyncStarted()) {
			request.getAsyncContext().addListener(new CloseWhenAsyncEnds(scope, disconnect));
		}
		else {
			disconnect.handlerReturned();
			failure = close(scope, failure);
		}
		if (failure != null) {
			handle(failure, request, response);
		}
	}

	private static @Nullable Throwable close(CancellableScope scope, @Nullable Throwable failure) {
		try {
			scope.close();
		}
		catch (RuntimeException ex) {
			if (failure == null) {
				return ex;
			}
			failure.addSuppressed(ex);
		}
		return failure;
	}

	private void handle(Throwable failure, HttpServletRequest request, HttpServletResponse response)
			throws ServletException, IOException {
		ScopeCancelledException cancelled = ScopeCancelledException.findIn(failure);
		if (cancelled != null) {
			if (this.responses.answer(cancelled, request, response)) {
				if (logger.isDebugEnabled()) {
					logger.debug("Answered " + request.getRequestURI() + " cancelled with " + cancelled.reason());
				}
				return;
			}
			// a sibling's failure goes to the container's error handling as if the handler threw it
			if (cancelled.getCause() != null) {
				failure = cancelled.getCause();
			}
		}
		if (failure instanceof IOException io) {
			throw io;
		}
		if (failure instanceof ServletException servlet) {
			throw servlet;
		}
		if (failure instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (failure instanceof Error error) {
			throw error;
		}
		throw new ServletException(failure);
	}

	/**
	 * Closes the scope of a request whose handler went asynchronous, when the request completes.
	 */
	private record CloseWhenAsyncEnds(CancellableScope scope, Registration disconnect) implements AsyncListener {

		@Override
		public void onComplete(AsyncEvent event) {
			this.disconnect.close();
			this.scope.close();
		}

		@Override
		public void onTimeout(AsyncEvent event) {
		}

		@Override
		public void onError(AsyncEvent event) {
		}

		@Override
		public void onStartAsync(AsyncEvent event) {
			event.getAsyncContext().addListener(this);
		}

	}

}
