package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.RequestFacade;
import org.apache.coyote.AbstractProcessor;
import org.apache.coyote.ActionCode;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.coyote.http11.Http11InputBuffer;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * Finds a request's connection on Tomcat 11. Over HTTP/1.1 on the NIO connector: the socket channel
 * under the request's processor. Over HTTP/2: the processor's stream. Both are internal fields of
 * Tomcat, read through handles resolved once at start-up, so a Tomcat whose internals moved is
 * reported then, not on a request.
 */
final class TomcatConnectionLocator implements ConnectionLocator {

	private static final String STREAM_PROCESSOR = "org.apache.coyote.http2.StreamProcessor";

	private static final String STREAM = "org.apache.coyote.http2.Stream";

	private TomcatConnectionLocator() {
	}

	/**
	 * Tomcat's fields and methods, resolved when a Tomcat is first inspected: static final, so that
	 * the JIT inlines each access as a plain field read.
	 */
	private static final class Internals {

		static final VarHandle facadeRequest;

		static final VarHandle hook;

		static final VarHandle socketWrapper;

		static final Class<?> streamProcessorType;

		static final VarHandle stream;

		static final MethodHandle canWrite;

		static {
			try {
				facadeRequest = field(RequestFacade.class, "request", org.apache.catalina.connector.Request.class);
				hook = field(Request.class, "hook", org.apache.coyote.ActionHook.class);
				socketWrapper = field(AbstractProcessor.class, "socketWrapper", SocketWrapperBase.class);
				streamProcessorType = Class.forName(STREAM_PROCESSOR, false, Request.class.getClassLoader());
				Class<?> streamType = Class.forName(STREAM, false, Request.class.getClassLoader());
				stream = field(streamProcessorType, "stream", streamType);
				canWrite = MethodHandles.privateLookupIn(streamType, MethodHandles.lookup())
					.findVirtual(streamType, "canWrite", MethodType.methodType(boolean.class))
					.asType(MethodType.methodType(boolean.class, Object.class));
			}
			catch (ReflectiveOperationException ex) {
				throw new ExceptionInInitializerError(ex);
			}
		}

		/**
		 * Resolves the handles, if that has not been done yet: initializing this class does it.
		 * @throws ExceptionInInitializerError if Tomcat's internals are not as expected
		 */
		static void resolve() {
		}

		private static VarHandle field(Class<?> owner, String name, Class<?> type)
				throws ReflectiveOperationException {
			return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
		}

	}

	/**
	 * Inspects a started Tomcat.
	 * @throws UnwatchableServerException if Tomcat's internals are not as expected, or no connector
	 * can be watched
	 */
	static ServerConnections inspect(WebServer server) {
		try {
			Internals.resolve();
		}
		catch (RuntimeException | LinkageError ex) {
			Throwable why = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new UnwatchableServerException("this Tomcat's internals are not those of Tomcat 11 (" + why + ")", ex);
		}
		List<String> unwatched = new ArrayList<>();
		int watched = 0;
		for (Connector connector : ((TomcatWebServer) server).getTomcat().getService().findConnectors()) {
			ProtocolHandler handler = connector.getProtocolHandler();
			String name = "connector on port " + connector.getLocalPort();
			if (!(handler instanceof Http11NioProtocol)) {
				unwatched.add(name + " uses " + handler.getClass().getSimpleName() + ", not the NIO connector");
				continue;
			}
			if (((AbstractHttp11Protocol<?>) handler).isSSLEnabled()) {
				unwatched.add(name + " uses TLS, so its HTTP/1.1 connections are not watched");
			}
			watched++;
		}
		if (watched == 0) {
			throw new UnwatchableServerException(String.join("; ", unwatched));
		}
		return new ServerConnections(new TomcatConnectionLocator(), List.copyOf(unwatched));
	}

	@Override
	public @Nullable ClientConnection locate(HttpServletRequest request) {
		ServletRequest unwrapped = request;
		while (unwrapped instanceof ServletRequestWrapper wrapper) {
			unwrapped = wrapper.getRequest();
		}
		if (!(unwrapped instanceof RequestFacade facade)) {
			return null;
		}
		Request coyoteRequest = ((org.apache.catalina.connector.Request) Internals.facadeRequest.get(facade))
			.getCoyoteRequest();
		Object processor = Internals.hook.get(coyoteRequest);
		if (processor instanceof Http11Processor) {
			SocketWrapperBase<?> wrapper = (SocketWrapperBase<?>) Internals.socketWrapper.get(processor);
			// NioChannel exactly: its TLS subclass carries encrypted records on the socket
			if (wrapper != null && wrapper.getSocket() instanceof NioChannel channel
					&& channel.getClass() == NioChannel.class) {
				return new Http11Connection(channel.getIOChannel(), coyoteRequest);
			}
			return null;
		}
		if (Internals.streamProcessorType.isInstance(processor)) {
			return new Http2Stream(Internals.stream.get(processor), coyoteRequest.getResponse());
		}
		return null;
	}

	/**
	 * An HTTP/1.1 request's connection. Keeps the {@link SocketChannel} itself: Tomcat recycles its
	 * {@code NioChannel} wrappers.
	 */
	private static final class Http11Connection implements ClientConnection.Socket {

		private final SocketChannel channel;

		private final Request request;

		private final Response response;

		Http11Connection(SocketChannel channel, Request request) {
			this.channel = channel;
			this.request = request;
			this.response = request.getResponse();
		}

		@Override
		public SocketChannel channel() {
			return this.channel;
		}

		@Override
		public boolean requestRead() {
			return this.request.isFinished();
		}

		@Override
		public boolean nextRequestBuffered() {
			// after the headers of a request without body, the buffer holds what follows them
			ByteBuffer buffered = (this.request.getInputBuffer() instanceof Http11InputBuffer input)
					? input.getByteBuffer() : null;
			return buffered != null && buffered.hasRemaining();
		}

		@Override
		public boolean responseCommitted() {
			return this.response.isCommitted();
		}

		@Override
		public void dropResponse() {
			// what Tomcat itself does to abandon a response: swallow it and close the connection
			this.response.action(ActionCode.CLOSE_NOW, null);
		}

	}

	/**
	 * An HTTP/2 stream: Tomcat marks it closed when the client resets it or the connection closes.
	 */
	private static final class Http2Stream implements ClientConnection.Stream {

		private final Object stream;

		private final Response response;

		Http2Stream(Object stream, Response response) {
			this.stream = stream;
			this.response = response;
		}

		@Override
		public boolean reset() {
			try {
				// before the response is committed only a reset, received or sent, closes it for writing
				return !(boolean) Internals.canWrite.invokeExact(this.stream);
			}
			catch (RuntimeException | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		}

		@Override
		public boolean responseCommitted() {
			return this.response.isCommitted();
		}

	}

}
