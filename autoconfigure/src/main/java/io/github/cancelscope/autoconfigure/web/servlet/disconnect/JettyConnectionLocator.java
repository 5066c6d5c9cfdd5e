package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * Finds a request's connection on Jetty 12 (ee11), through Jetty's public API. Over HTTP/1.1: the
 * socket channel of the request's {@link HttpConnection}. Over HTTP/2: the request's failure
 * listener, which Jetty calls when the client resets the stream or closes the connection.
 */
final class JettyConnectionLocator implements ConnectionLocator {

	private JettyConnectionLocator() {
	}

	/**
	 * Inspects a started Jetty.
	 * @throws UnwatchableServerException if no connector can be watched
	 */
	static ServerConnections inspect(WebServer server) {
		List<String> unwatched = new ArrayList<>();
		int watched = 0;
		for (org.eclipse.jetty.server.Connector connector : ((JettyWebServer) server).getServer().getConnectors()) {
			if (!(connector instanceof ServerConnector serverConnector)) {
				unwatched.add(connector + " is not a socket connector");
				continue;
			}
			if (serverConnector.getConnectionFactory(SslConnectionFactory.class) != null) {
				unwatched.add("connector on port " + serverConnector.getLocalPort()
						+ " uses TLS, so its HTTP/1.1 connections are not watched");
			}
			watched++;
		}
		if (watched == 0) {
			throw new UnwatchableServerException(String.join("; ", unwatched));
		}
		return new ServerConnections(new JettyConnectionLocator(), List.copyOf(unwatched));
	}

	@Override
	public @Nullable ClientConnection locate(HttpServletRequest request) {
		ServletContextRequest servletRequest = ServletContextRequest.getServletContextRequest(request);
		ConnectionMetaData metaData = servletRequest.getConnectionMetaData();
		Connection connection = metaData.getConnection();
		if (connection instanceof HttpConnection http1) {
			// a TLS connection's end point decrypts: its socket carries records, not requests
			return (http1.getEndPoint() instanceof SocketChannelEndPoint endPoint)
					? new Http11Connection(endPoint.getChannel(), http1, servletRequest) : null;
		}
		if (metaData.getHttpVersion() == HttpVersion.HTTP_2) {
			Http2Stream stream = new Http2Stream(servletRequest.getServletContextResponse());
			servletRequest.addFailureListener(stream::failed);
			return stream;
		}
		return null;
	}

	/**
	 * An HTTP/1.1 request's connection.
	 */
	private static final class Http11Connection implements ClientConnection.Socket {

		private final SocketChannel channel;

		private final HttpConnection connection;

		private final Response response;

		Http11Connection(SocketChannel channel, HttpConnection connection, ServletContextRequest request) {
			this.channel = channel;
			this.connection = connection;
			this.response = request.getServletContextResponse();
		}

		@Override
		public SocketChannel channel() {
			return this.channel;
		}

		@Override
		public boolean requestRead() {
			// the parser stays as it is until the response completes and it is reset for the next
			// request; it moves past a Content-Length body only when asked for more than the body
			HttpParser parser = this.connection.getParser();
			return parser.isComplete() || (!parser.isChunking() && parser.getContentLength() >= 0
					&& parser.getContentRead() >= parser.getContentLength());
		}

		@Override
		public boolean nextRequestBuffered() {
			return !this.connection.isRequestBufferEmpty();
		}

		@Override
		public boolean responseCommitted() {
			return this.response.isCommitted();
		}

		@Override
		public void dropResponse() {
			// what a broken connection does: Jetty fails the request quietly and writes nothing
			this.connection.getEndPoint().close();
		}

	}

	/**
	 * An HTTP/2 stream, marked reset by Jetty's failure listener.
	 */
	private static final class Http2Stream implements ClientConnection.Stream {

		private final Response response;

		private volatile boolean reset;

		Http2Stream(Response response) {
			this.response = response;
		}

		void failed(Throwable failure) {
			// an idle timeout is the server's own decision, not the client's
			if (!(failure instanceof TimeoutException)) {
				this.reset = true;
			}
		}

		@Override
		public boolean reset() {
			return this.reset;
		}

		@Override
		public boolean responseCommitted() {
			return this.response.isCommitted();
		}

	}

}
