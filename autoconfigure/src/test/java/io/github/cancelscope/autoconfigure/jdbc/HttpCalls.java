package io.github.cancelscope.autoconfigure.jdbc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Calls the test application over real HTTP.
 */
final class HttpCalls {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final int port;

	HttpCalls(int port) {
		this.port = port;
	}

	HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return client.send(request(path, null), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
		return client.send(request(path, timeout), HttpResponse.BodyHandlers.ofString());
	}

	CompletableFuture<HttpResponse<String>> getAsync(String path) {
		return client.sendAsync(request(path, null), HttpResponse.BodyHandlers.ofString());
	}

	CompletableFuture<HttpResponse<String>> getAsync(String path, Duration timeout) {
		return client.sendAsync(request(path, timeout), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest request(String path, Duration timeout) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(20));
		if (timeout != null) {
			builder.header("X-Request-Timeout-Ms", Long.toString(timeout.toMillis()));
		}
		return builder.GET().build();
	}

}
