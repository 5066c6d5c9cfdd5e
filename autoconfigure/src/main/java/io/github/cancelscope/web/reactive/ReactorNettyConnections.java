package io.github.cancelscope.web.reactive;

import reactor.netty.Connection;

import org.springframework.util.ClassUtils;

/**
 * Closes the connection of a Reactor Netty exchange. Cancelling the exchange's subscription is not
 * enough: Reactor Netty keeps the connection of a cancelled exchange open, so the downstream server
 * would never learn that nobody waits for its answer. Loaded only when Reactor Netty is present.
 */
final class ReactorNettyConnections {

	private static final boolean PRESENT = ClassUtils.isPresent("reactor.netty.Connection",
			ReactorNettyConnections.class.getClassLoader());

	private ReactorNettyConnections() {
	}

	/**
	 * Closes the channel behind a native request of Spring's Reactor Netty connector; does nothing
	 * for other connectors' requests.
	 * @param nativeRequest what {@code ClientHttpRequest.getNativeRequest()} returned
	 */
	static void close(Object nativeRequest) {
		if (PRESENT) {
			Netty.close(nativeRequest);
		}
	}

	private static final class Netty {

		static void close(Object nativeRequest) {
			if (nativeRequest instanceof Connection connection) {
				connection.channel().close();
			}
		}

	}

}
