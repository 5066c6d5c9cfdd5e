package io.github.cancelscope.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The sample application running in a JVM of its own, on a port of its own, so tests can send it
 * real signals.
 */
final class SampleProcess implements AutoCloseable {

	private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

	private final Process process;

	private final int port;

	private final StringBuffer output = new StringBuffer();

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private SampleProcess(Process process, int port) {
		this.process = process;
		this.port = port;
		Thread.ofPlatform().daemon().name("sample-output").start(this::collectOutput);
	}

	static SampleProcess start(String... arguments) throws IOException {
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// gRPC's shaded Netty loads its native transport
		command.add("--enable-native-access=ALL-UNNAMED");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(SampleApplication.class.getName());
		command.add("--server.port=" + port);
		command.add("--spring.main.banner-mode=off");
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		return new SampleProcess(process, port);
	}

	private void collectOutput() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.output.append(line).append('\n');
			}
		}
		catch (IOException ex) {
			// the process ended
		}
	}

	int port() {
		return this.port;
	}

	String output() {
		return this.output.toString();
	}

	void awaitOutput(String text, Duration timeout) {
		await("'" + text + "' in the output").atMost(timeout)
			.pollInterval(POLL_INTERVAL)
			.until(() -> output().contains(text));
	}

	void awaitRunning(Duration timeout, String... work) {
		await("work " + List.of(work) + " running").atMost(timeout)
			.pollInterval(POLL_INTERVAL)
			.until(() -> get("/work").body(),
					(running) -> Stream.of(work).allMatch((name) -> running.contains("\"" + name + "\"")));
	}

	void awaitStarted(Duration timeout) {
		await("the sample answering on port " + this.port).atMost(timeout)
			.pollInterval(POLL_INTERVAL)
			.ignoreException(UncheckedIOException.class)
			.until(() -> get("/work").statusCode() == 200);
		// Tomcat answers before the rest of the application (the gRPC server, the scheduler) has
		// started: a signal in between finds a context still refreshing
		awaitOutput("Started SampleApplication", timeout);
	}

	HttpResponse<String> get(String path) {
		try {
			return this.client.send(request(path), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	CompletableFuture<HttpResponse<String>> getAsync(String path) {
		return this.client.sendAsync(request(path), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(60))
			.build();
	}

	void signal(String name) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(this.process.pid())).start();
		if (kill.waitFor() != 0) {
			throw new IllegalStateException("kill -" + name + " failed");
		}
	}

	/**
	 * Waits for the process to exit.
	 * @return its exit code, or -1 if it was still running after the timeout
	 */
	int awaitExit(Duration timeout) throws InterruptedException {
		return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? this.process.exitValue() : -1;
	}

	boolean portIsFree() {
		try (ServerSocket socket = new ServerSocket(this.port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(10, TimeUnit.SECONDS);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
