package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client on a plain socket, so a test decides exactly what goes on the wire and how
 * the connection ends: FIN, RST or half-close.
 */
final class RawConnection implements Closeable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RawConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.socket.setSoTimeout(20_000);
		this.socket.setTcpNoDelay(true);
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
	}

	static RawConnection open(int port) throws IOException {
		return new RawConnection(new Socket(InetAddress.getLoopbackAddress(), port));
	}

	static String get(String target) {
		return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
	}

	static String post(String target, String body) {
		return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: "
				+ body.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n\r\n" + body;
	}

	static String postChunked(String target, String... chunks) {
		StringBuilder request = new StringBuilder("POST " + target
				+ " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
		for (String chunk : chunks) {
			request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
		}
		return request.append("0\r\n\r\n").toString();
	}

	/** Writes {@code data} in one write. */
	RawConnection send(String data) throws IOException {
		this.out.write(data.getBytes(StandardCharsets.ISO_8859_1));
		this.out.flush();
		return this;
	}

	/** Closes the connection the ordinary way: the server sees a FIN. */
	void fin() throws IOException {
		this.socket.close();
	}

	/** Resets the connection: the server sees an RST. */
	void rst() throws IOException {
		this.socket.setSoLinger(true, 0);
		this.socket.close();
	}

	/** Stops sending (FIN) but keeps reading. */
	void halfClose() throws IOException {
		this.socket.shutdownOutput();
	}

	/** Reads whatever the server sends until it closes the connection. */
	byte[] readToEnd() throws IOException {
		return this.in.readAllBytes();
	}

	/** Reads one response, with a Content-Length or chunked body. */
	Response read() throws IOException {
		String statusLine = line();
		Map<String, String> headers = new LinkedHashMap<>();
		for (String line = line(); !line.isEmpty(); line = line()) {
			int colon = line.indexOf(':');
			headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
		}
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
				body.write(this.in.readNBytes(size));
				line();
			}
			line();
		}
		else if (headers.containsKey("content-length")) {
			body.write(this.in.readNBytes(Integer.parseInt(headers.get("content-length"))));
		}
		return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers,
				body.toString(StandardCharsets.UTF_8));
	}

	private String line() throws IOException {
		StringBuilder line = new StringBuilder();
		for (int c = this.in.read(); c != '\n'; c = this.in.read()) {
			if (c == -1) {
				throw new IOException("connection closed after '" + line + "'");
			}
			if (c != '\r') {
				line.append((char) c);
			}
		}
		return line.toString();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	record Response(int status, Map<String, String> headers, String body) {

	}

}
