package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Finds the container's connection to a request's client.
 */
@FunctionalInterface
interface ConnectionLocator {

	/**
	 * Finds the connection of a request. Called on the request's thread before its handler runs.
	 * @param request the request, possibly wrapped
	 * @return the connection, or {@code null} if this request's connection is not one that can be
	 * watched (TLS, a connector or protocol not covered)
	 * @throws RuntimeException if the container is not what the locator expected; the watcher then
	 * switches itself off
	 */
	@Nullable ClientConnection locate(HttpServletRequest request);

}
