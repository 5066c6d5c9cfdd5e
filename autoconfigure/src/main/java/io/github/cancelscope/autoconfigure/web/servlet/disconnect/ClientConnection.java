package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.nio.channels.SocketChannel;

/**
 * The container's connection to one request's client, as far as the watcher needs it. Read from the
 * watcher's thread while the request is handled, so every method is a quick, non-blocking look at
 * container state; a stale answer only delays or skips watching, it never cancels a healthy request.
 */
interface ClientConnection {

	/**
	 * Whether the response is committed: from then on a close is never a reason to cancel.
	 */
	boolean responseCommitted();

	/**
	 * Tells the container to drop the response and close the connection. Called on the request's
	 * thread, after its handler returned, once the client is known to be gone.
	 */
	default void dropResponse() {
	}

	/**
	 * An HTTP/1.1 connection: the watcher selects on its socket.
	 */
	interface Socket extends ClientConnection {

		/**
		 * The container's own channel. The watcher registers it with a selector of its own and never
		 * reads from it.
		 */
		SocketChannel channel();

		/**
		 * Whether the request, its body included, has been read off the connection: until then
		 * bytes on the socket are the request's own.
		 */
		boolean requestRead();

		/**
		 * Whether the container already holds bytes of a next, pipelined request.
		 */
		boolean nextRequestBuffered();

	}

	/**
	 * An HTTP/2 stream: the container tracks resets and closes itself, the watcher asks.
	 */
	interface Stream extends ClientConnection {

		/**
		 * Whether the client reset the stream or closed the connection.
		 */
		boolean reset();

	}

}
