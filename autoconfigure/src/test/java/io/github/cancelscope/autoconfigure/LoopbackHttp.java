package io.github.cancelscope.autoconfigure;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Calls a test application on loopback over real HTTP/1.1: with the JDK client, or on a plain
 * socket that the test closes while the request runs, as a client that goes away.
 */
public final class LoopbackHttp {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final int port;

	public LoopbackHttp(int port) {
		this.port = port;
	}

	/**
	 * Sends a GET and waits for its response.
	 * @param timeout sent as {@code X-Request-Timeout-Ms}, or {@code null} for no deadline
	 */
	public HttpResponse<String> get(String pathAndQuery, @Nullable Duration timeout)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + pathAndQuery))
			.timeout(Duration.ofSeconds(20));
		if (timeout != null) {
			request.header("X-Request-Timeout-Ms", Long.toString(timeout.toMillis()));
		}
		return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Sends a GET on a socket of its own and leaves the socket open: closing it is the client going
	 * away.
	 */
	public Socket send(String pathAndQuery) throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port);
		OutputStream out = socket.getOutputStream();
		out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
		out.flush();
		return socket;
	}

}
