package io.github.cancelscope.web.servlet;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Watches the client of a request while its handler works, and cancels the request's scope with
 * {@link CancellationReason#CLIENT_DISCONNECTED} when the client closes or resets its connection or
 * resets its HTTP/2 stream before the response is committed. The request scope filter calls it
 * around the filter chain.
 * <p>
 * Implementations never throw and never change the request: a request whose connection cannot be
 * watched gets {@link Watch#NONE}. They are safe for use by any number of threads.
 */
@FunctionalInterface
public interface ClientDisconnectWatch {

	/** Watches nothing. */
	ClientDisconnectWatch NONE = (request, response, scope) -> Watch.NONE;

	/**
	 * Starts watching the client of a request. Called on the request's thread before the handler
	 * runs.
	 * @param request the request
	 * @param response its response
	 * @param scope the request's scope, cancelled when the client goes away
	 * @return the watch, to end when the request's handling ends
	 */
	Watch watch(HttpServletRequest request, HttpServletResponse response, CancellableScope scope);

	/**
	 * One request's watch. {@link #close()} ends it from any thread, for example when an asynchronous
	 * request completes; it is idempotent.
	 */
	interface Watch extends Registration {

		/** A watch of nothing. */
		Watch NONE = () -> {
		};

		/**
		 * Ends the watch of a request whose handler returned without going asynchronous. Called on
		 * the request's thread before its scope is closed. If the client was found gone, the
		 * container is told to drop the response and close the connection, so nothing is written
		 * to a client that went away.
		 */
		default void handlerReturned() {
			close();
		}

	}

}
