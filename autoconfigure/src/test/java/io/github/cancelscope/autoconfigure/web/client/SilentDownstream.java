package io.github.cancelscope.autoconfigure.web.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A downstream server that accepts connections and then neither reads nor answers: a raw
 * {@link ServerSocket} on loopback, with a small receive buffer, so that a client sending a large
 * body blocks in its write. One per test; closing it closes every connection.
 */
final class SilentDownstream implements AutoCloseable {

	private final ServerSocket server;

	private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();

	private final Thread acceptor;

	SilentDownstream() {
		try {
			this.server = new ServerSocket();
			// set before bind, so that accepted sockets advertise a small window
			this.server.setReceiveBufferSize(4096);
			this.server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.acceptor = new Thread(this::accept, "silent-downstream-acceptor");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				this.accepted.add(this.server.accept());
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.server.getLocalPort() + path);
	}

	/**
	 * Waits for the next connection.
	 */
	Socket awaitConnection(Duration timeout) throws InterruptedException {
		Socket socket = this.accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
		if (socket == null) {
			throw new AssertionError("No connection to the silent downstream within " + timeout);
		}
		return socket;
	}

	/**
	 * Only now reads what the client sent, to the end: returns whether the client closed the
	 * connection (end of stream or reset) within {@code timeout}.
	 */
	static boolean closedByClient(Socket socket, Duration timeout) throws IOException {
		long deadline = System.nanoTime() + timeout.toNanos();
		socket.setSoTimeout(100);
		byte[] buffer = new byte[64 * 1024];
		try (InputStream in = socket.getInputStream()) {
			while (System.nanoTime() - deadline < 0) {
				try {
					if (in.read(buffer) < 0) {
						return true;
					}
				}
				catch (SocketTimeoutException ex) {
					// nothing yet
				}
			}
		}
		catch (IOException ex) {
			// reset by the client
			return true;
		}
		return false;
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		for (Socket socket; (socket = this.accepted.poll()) != null;) {
			socket.close();
		}
	}

}
