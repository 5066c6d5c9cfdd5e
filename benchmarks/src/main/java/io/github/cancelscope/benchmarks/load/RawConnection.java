package io.github.cancelscope.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection on a plain {@link Socket}: the watcher phase needs to close a
 * connection with a request in flight (a FIN: nothing unread is left in its receive buffer), which no
 * HTTP client lets you do on purpose. Reads a response's status and skips its body (Content-Length or
 * chunked); nothing else of HTTP.
 */
final class RawConnection implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final String host;

	private RawConnection(Socket socket, String host) throws IOException {
		this.socket = socket;
		this.in = new BufferedInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
		this.host = host;
	}

	static RawConnection open(int port, Duration readTimeout) throws IOException {
		InetAddress loopback = InetAddress.getLoopbackAddress();
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.connect(new InetSocketAddress(loopback, port), 5000);
			socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
			return new RawConnection(socket, loopback.getHostAddress() + ":" + port);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * Sends {@code GET target} on the connection, keep-alive.
	 */
	void get(String target) throws IOException {
		String request = "GET " + target + " HTTP/1.1\r\nHost: " + this.host + "\r\nAccept: */*\r\n\r\n";
		this.out.write(request.getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
	}

	/**
	 * Reads one response, skipping its body, within the read timeout of each read.
	 * @return the status code
	 */
	int readResponse(Duration timeout) throws IOException {
		this.socket.setSoTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())));
		String status = line();
		String[] parts = status.split(" ");
		if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
			throw new IOException("Not an HTTP/1.1 status line: '" + status + "'");
		}
		int code = Integer.parseInt(parts[1]);
		long length = 0;
		boolean chunked = false;
		for (String header = line(); !header.isEmpty(); header = line()) {
			String lower = header.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Long.parseLong(lower.substring("content-length:".length()).trim());
			}
			else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
		}
		if (chunked) {
			for (long size = chunkSize(); size > 0; size = chunkSize()) {
				skip(size);
				line();
			}
			for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
				// trailers: none expected
			}
		}
		else {
			skip(length);
		}
		return code;
	}

	private long chunkSize() throws IOException {
		String line = line();
		int semicolon = line.indexOf(';');
		return Long.parseLong(((semicolon >= 0) ? line.substring(0, semicolon) : line).trim(), 16);
	}

	private void skip(long bytes) throws IOException {
		for (long left = bytes; left > 0; left--) {
			if (this.in.read() < 0) {
				throw new EOFException("Connection closed in a response body");
			}
		}
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(64);
		for (int i = 0; i < 8192; i++) {
			int b = this.in.read();
			if (b < 0) {
				throw new EOFException("Connection closed by the server");
			}
			if (b == '\n') {
				String text = line.toString(StandardCharsets.US_ASCII);
				return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
			}
			line.write(b);
		}
		throw new IOException("Header line longer than 8192 bytes");
	}

	/**
	 * Closes the socket: with nothing unread in it, the kernel sends a FIN.
	 */
	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
