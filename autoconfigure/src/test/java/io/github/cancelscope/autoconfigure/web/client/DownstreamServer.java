package io.github.cancelscope.autoconfigure.web.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A downstream HTTP/1.1 server on loopback, on raw sockets, that records what a client did to each
 * exchange: when the request arrived, its headers, and when the client closed a connection that
 * the server left hanging. Exchanges are named by the {@code id} query parameter.
 * <ul>
 * <li>{@code /fast} answers 200 at once;</li>
 * <li>{@code /fail?after=x,y} answers 500 once exchanges x and y have arrived;</li>
 * <li>{@code /stall} sends nothing for 30 s;</li>
 * <li>{@code /stall-body} sends headers and part of the body, then nothing for 30 s.</li>
 * </ul>
 * Every answer closes the connection, so no connection is reused across exchanges.
 */
final class DownstreamServer implements AutoCloseable {

	private static final Duration STALL = Duration.ofSeconds(30);

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static @Nullable DownstreamServer shared;

	private final ServerSocket serverSocket;

	private final Thread acceptor;

	private final AtomicInteger connections = new AtomicInteger();

	private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();

	private DownstreamServer() throws IOException {
		this.serverSocket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
		this.acceptor = daemon("downstream-acceptor", this::accept);
	}

	/**
	 * Returns the server shared by every test of this JVM, started on first use.
	 */
	static synchronized DownstreamServer shared() {
		if (shared == null) {
			try {
				shared = new DownstreamServer();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return shared;
	}

	URI uri(String pathAndQuery) {
		return URI.create("http://127.0.0.1:" + this.serverSocket.getLocalPort() + pathAndQuery);
	}

	/**
	 * Returns how many connections the server has accepted so far.
	 */
	int connections() {
		return this.connections.get();
	}

	/**
	 * Returns the exchange with the given id, which may not have arrived yet.
	 */
	Exchange exchange(String id) {
		return this.exchanges.computeIfAbsent(id, Exchange::new);
	}

	@Override
	public void close() throws IOException {
		this.serverSocket.close();
		this.acceptor.interrupt();
	}

	private void accept() {
		while (!this.serverSocket.isClosed()) {
			try {
				Socket socket = this.serverSocket.accept();
				this.connections.incrementAndGet();
				daemon("downstream-connection", () -> serve(socket));
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private static Thread daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private void serve(Socket socket) {
		try (socket) {
			Request request = Request.read(socket.getInputStream());
			if (request == null) {
				return;
			}
			Exchange exchange = exchange(request.query("id"));
			exchange.arrived(request);
			OutputStream out = socket.getOutputStream();
			switch (request.path()) {
				case "/fast" -> respond(out, "200 OK", "fast " + exchange.id);
				case "/fail" -> {
					for (String other : request.query("after").split(",")) {
						if (!other.isEmpty()) {
							exchange(other).awaitArrival();
						}
					}
					respond(out, "500 Internal Server Error", "failed " + exchange.id);
					exchange.answered();
				}
				case "/stall" -> awaitClientClose(socket, exchange);
				case "/stall-body" -> {
					out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
							+ "first part of the body").getBytes(StandardCharsets.US_ASCII));
					out.flush();
					awaitClientClose(socket, exchange);
				}
				default -> respond(out, "404 Not Found", "no " + request.path());
			}
		}
		catch (IOException | RuntimeException ex) {
			// the client went away while the server was answering
		}
	}

	private static void respond(OutputStream out, String status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		out.write(("HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length
				+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		out.write(bytes);
		out.flush();
	}

	/**
	 * Sends nothing more and waits for the client to close the connection (end of stream or reset),
	 * at most {@link #STALL}.
	 */
	private static void awaitClientClose(Socket socket, Exchange exchange) throws IOException {
		socket.setSoTimeout((int) STALL.toMillis());
		try {
			InputStream in = socket.getInputStream();
			while (in.read() != -1) {
				// a client does not send more on this connection; keep waiting for its close
			}
			exchange.clientClosed();
		}
		catch (SocketTimeoutException ex) {
			// the client never closed
		}
		catch (IOException ex) {
			exchange.clientClosed();
		}
	}

	/**
	 * What the server saw of one exchange.
	 */
	static final class Exchange {

		private final String id;

		private final CompletableFuture<Request> arrival = new CompletableFuture<>();

		private final CompletableFuture<Instant> answer = new CompletableFuture<>();

		private final CompletableFuture<Instant> clientClose = new CompletableFuture<>();

		Exchange(String id) {
			this.id = id;
		}

		void arrived(Request request) {
			this.arrival.complete(request);
		}

		void answered() {
			this.answer.complete(Instant.now());
		}

		void clientClosed() {
			this.clientClose.complete(Instant.now());
		}

		boolean hasArrived() {
			return this.arrival.isDone();
		}

		/**
		 * Waits for the request of this exchange to arrive.
		 * @return its headers, names in lower case
		 */
		Map<String, String> awaitArrival() {
			return await(this.arrival, "the request of exchange " + this.id + " to arrive").headers();
		}

		/**
		 * Waits for the server to send the answer of this exchange.
		 * @return when the server had sent it
		 */
		Instant awaitAnswer() {
			return await(this.answer, "the server to answer exchange " + this.id);
		}

		/**
		 * Waits for the client to close the connection of this exchange.
		 * @return when the server saw the close
		 */
		Instant awaitClientClose() {
			return await(this.clientClose, "the client to close the connection of exchange " + this.id);
		}

		private static <T> T await(CompletableFuture<T> future, String what) {
			try {
				return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				throw new AssertionError("Waited " + WAIT.toSeconds() + " s for " + what + " in vain");
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError("Interrupted while waiting for " + what, ex);
			}
			catch (ExecutionException ex) {
				throw new AssertionError(ex.getCause());
			}
		}

	}

	/**
	 * The request line and headers of a request without body.
	 */
	record Request(String path, Map<String, String> queryParameters, Map<String, String> headers) {

		String query(String name) {
			return this.queryParameters.getOrDefault(name, "");
		}

		static @Nullable Request read(InputStream in) throws IOException {
			ByteArrayOutputStream head = new ByteArrayOutputStream();
			int matched = 0;
			while (matched < 4) {
				int b = in.read();
				if (b == -1) {
					return null;
				}
				head.write(b);
				matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : ((b == '\r') ? 1 : 0);
			}
			String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
			String target = lines[0].split(" ")[1];
			int question = target.indexOf('?');
			String path = (question < 0) ? target : target.substring(0, question);
			Map<String, String> query = new LinkedHashMap<>();
			if (question >= 0) {
				for (String pair : target.substring(question + 1).split("&")) {
					int equals = pair.indexOf('=');
					query.put(pair.substring(0, equals), pair.substring(equals + 1));
				}
			}
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				if (colon > 0) {
					headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
							lines[i].substring(colon + 1).trim());
				}
			}
			return new Request(path, query, headers);
		}

	}

}
