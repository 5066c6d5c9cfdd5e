package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

import static org.assertj.core.api.Assertions.fail;

/**
 * A real reverse proxy (nginx or HAProxy, the Debian packages) on loopback in front of a test's
 * server, started from a configuration written for the test and stopped when closed.
 * <p>
 * When a proxy's binary is missing the test is skipped with the command that installs it, except
 * on CI ({@code CI} set), where {@code .ci/run} installs both and a missing one fails the test.
 */
final class ReverseProxy implements AutoCloseable {

	private static final Duration START_PATIENCE = Duration.ofSeconds(20);

	private final String name;

	private final Process process;

	private final Path directory;

	private final int port;

	private ReverseProxy(String name, List<String> command, Path directory, int port) throws IOException {
		this.name = name;
		this.directory = directory;
		this.port = port;
		this.process = new ProcessBuilder(command).directory(directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(directory.resolve("output.log").toFile())
			.start();
		awaitListening();
	}

	/**
	 * Starts nginx with its defaults, proxying every path to {@code upstreamPort} over keep-alive
	 * HTTP/1.1 connections, as its documentation recommends for an application server.
	 * @param upstreamPort the application's port
	 * @param directives more directives for the proxying {@code location}, such as
	 * {@code proxy_read_timeout 1s;}
	 */
	static ReverseProxy nginx(int upstreamPort, String... directives) throws IOException {
		Path binary = require("nginx");
		Path directory = Files.createTempDirectory("cancelscope-nginx");
		int port = freePort();
		String config = """
				worker_processes 1;
				daemon off;
				pid %1$s/nginx.pid;
				error_log %1$s/error.log warn;
				events { worker_connections 512; }
				http {
				    access_log off;
				    client_body_temp_path %1$s/client-body;
				    proxy_temp_path %1$s/proxy;
				    fastcgi_temp_path %1$s/fastcgi;
				    uwsgi_temp_path %1$s/uwsgi;
				    scgi_temp_path %1$s/scgi;
				    upstream app {
				        server 127.0.0.1:%2$d;
				        keepalive 16;
				    }
				    server {
				        listen 127.0.0.1:%3$d;
				        location / {
				            proxy_pass http://app;
				            proxy_http_version 1.1;
				            proxy_set_header Connection "";
				            %4$s
				        }
				    }
				}
				""".formatted(directory, upstreamPort, port, String.join("\n", directives));
		Path file = Files.writeString(directory.resolve("nginx.conf"), config, StandardCharsets.UTF_8);
		return new ReverseProxy("nginx", List.of(binary.toString(), "-p", directory.toString(), "-c", file.toString()),
				directory, port);
	}

	/**
	 * Starts HAProxy in HTTP mode with its defaults, proxying to {@code upstreamPort}.
	 * @param upstreamPort the application's port
	 * @param lines more lines for the {@code defaults} section, such as {@code option abortonclose}
	 */
	static ReverseProxy haproxy(int upstreamPort, String... lines) throws IOException {
		Path binary = require("haproxy");
		Path directory = Files.createTempDirectory("cancelscope-haproxy");
		int port = freePort();
		String config = """
				global
				    maxconn 512
				defaults
				    mode http
				    timeout connect 5s
				    timeout client 60s
				    timeout server 60s
				    %3$s
				frontend proxy
				    bind 127.0.0.1:%2$d
				    default_backend app
				backend app
				    server app 127.0.0.1:%1$d
				""".formatted(upstreamPort, port, String.join("\n    ", lines));
		Path file = Files.writeString(directory.resolve("haproxy.cfg"), config, StandardCharsets.UTF_8);
		// -db: stay in the foreground, so the process is the proxy and dies with this handle
		return new ReverseProxy("haproxy", List.of(binary.toString(), "-db", "-f", file.toString()), directory, port);
	}

	int port() {
		return this.port;
	}

	@Override
	public void close() throws Exception {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted((a, b) -> b.compareTo(a)).forEach((path) -> path.toFile().delete());
		}
	}

	private void awaitListening() throws IOException {
		long giveUp = System.nanoTime() + START_PATIENCE.toNanos();
		while (System.nanoTime() < giveUp) {
			if (!this.process.isAlive()) {
				fail(this.name + " exited with " + this.process.exitValue() + " at start: " + log());
			}
			try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
				return;
			}
			catch (IOException notYet) {
				try {
					Thread.sleep(20);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException("interrupted while waiting for " + this.name, ex);
				}
			}
		}
		this.process.destroyForcibly();
		fail(this.name + " did not listen on port " + this.port + " within " + START_PATIENCE + ": " + log());
	}

	private String log() throws IOException {
		StringBuilder log = new StringBuilder();
		for (String file : new String[] { "output.log", "error.log" }) {
			Path path = this.directory.resolve(file);
			if (Files.exists(path)) {
				log.append(Files.readString(path, StandardCharsets.UTF_8));
			}
		}
		return log.toString();
	}

	private static Path require(String binary) {
		for (String folder : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin").split(":")) {
			Path candidate = Path.of(folder.isEmpty() ? "." : folder, binary);
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		String install = binary + " is not installed: apt-get install " + binary;
		if (System.getenv("CI") != null) {
			return fail(install + " (.ci/run installs it; on CI this test must not be skipped)");
		}
		Assumptions.abort(install);
		throw new AssertionError("unreachable");
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
