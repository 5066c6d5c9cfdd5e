package io.github.cancelscope.benchmarks.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * One instance of the sample: a JVM of its own running the sample's jar on a free loopback port,
 * with the {@code postgres} profile and a PostgreSQL of its own. The driver starts that PostgreSQL
 * (the same embedded server the sample would start itself) and hands its URL to the sample, so the
 * database outlives the instance: what the instance leaves running on it can be counted after it
 * exited.
 */
final class SampleInstance implements AutoCloseable {

	static final String POOL_NAME = "cancelscope-sample";

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private final String name;

	private final boolean cancelscope;

	private final EmbeddedPostgres database;

	private final Process process;

	private final int port;

	private final Path log;

	private @Nullable PoolGauge gauge;

	private SampleInstance(String name, boolean cancelscope, EmbeddedPostgres database, Process process, int port,
			Path log) {
		this.name = name;
		this.cancelscope = cancelscope;
		this.database = database;
		this.process = process;
		this.port = port;
		this.log = log;
	}

	/**
	 * Starts PostgreSQL and the sample, and waits until the sample answers {@code /healthy}.
	 */
	static SampleInstance start(String name, boolean cancelscope, Path jar, LoadOptions options, Path logFolder)
			throws Exception {
		return start(name, cancelscope, jar, options, logFolder, List.of());
	}

	/**
	 * Starts PostgreSQL and the sample with {@code extraArguments} ({@code --name=value}, each
	 * replacing the driver's own of the same name), and waits until the sample answers
	 * {@code /healthy}.
	 */
	static SampleInstance start(String name, boolean cancelscope, Path jar, LoadOptions options, Path logFolder,
			List<String> extraArguments) throws Exception {
		EmbeddedPostgres database = EmbeddedPostgres.builder()
			.setServerConfig("listen_addresses", LOOPBACK.getHostAddress())
			.setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
			.setErrorRedirector(ProcessBuilder.Redirect.DISCARD)
			.start();
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(options.sampleJvmOptions());
		command.add("-jar");
		command.add(jar.toString());
		command.add("--server.port=" + port);
		command.add("--server.address=" + LOOPBACK.getHostAddress());
		command.add("--spring.main.banner-mode=off");
		command.add("--spring.profiles.active=postgres");
		command.add("--spring.datasource.url=" + jdbcUrl(database));
		command.add("--spring.datasource.username=postgres");
		command.add("--spring.datasource.password=postgres");
		command.add("--spring.datasource.hikari.pool-name=" + POOL_NAME);
		command.add("--spring.datasource.hikari.register-mbeans=true");
		command.add("--spring.datasource.hikari.maximum-pool-size=" + options.poolSize());
		command.add("--spring.datasource.hikari.connection-timeout=" + options.poolTimeout().toMillis());
		command.add("--cancelscope.enabled=" + cancelscope);
		command.add("--cancelscope.request.timeout=" + LoadOptions.format(options.requestTimeout()));
		command.add("--cancelscope.shutdown.grace=" + LoadOptions.format(options.shutdownGrace()));
		for (String argument : extraArguments) {
			// Spring Boot joins a repeated argument with commas: replace the driver's own instead
			String flag = argument.substring(0, argument.indexOf('=') + 1);
			command.removeIf((given) -> !flag.isEmpty() && given.startsWith(flag));
			command.add(argument);
		}
		Path log = logFolder.resolve(name + ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		SampleInstance instance = new SampleInstance(name, cancelscope, database, process, port, log);
		try {
			instance.awaitHealthy(Duration.ofMinutes(3));
			instance.gauge = PoolGauge.connect(process.pid(), POOL_NAME, jdbcUrl(database), "postgres", "postgres");
		}
		catch (Exception ex) {
			instance.close();
			throw ex;
		}
		return instance;
	}

	private static String jdbcUrl(EmbeddedPostgres database) {
		return "jdbc:postgresql://" + LOOPBACK.getHostAddress() + ":" + database.getPort() + "/postgres";
	}

	private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
			HttpRequest request = HttpRequest.newBuilder(uri("/healthy")).timeout(Duration.ofSeconds(5)).build();
			while (System.nanoTime() < end) {
				if (!this.process.isAlive()) {
					throw new IllegalStateException("The " + this.name + " instance exited with code "
							+ this.process.exitValue() + ":\n" + logTail());
				}
				try {
					if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
						return;
					}
				}
				catch (IOException ex) {
					// not listening yet
				}
				Thread.sleep(200);
			}
		}
		throw new IllegalStateException("The " + this.name + " instance did not answer within " + timeout + ":\n"
				+ logTail());
	}

	String logTail() throws IOException {
		List<String> lines = Files.readAllLines(this.log, StandardCharsets.UTF_8);
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
	}

	/**
	 * The file the instance's standard output and error go to.
	 */
	Path log() {
		return this.log;
	}

	String name() {
		return this.name;
	}

	boolean cancelscope() {
		return this.cancelscope;
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	URI uri(String path) {
		return URI.create("http://" + LOOPBACK.getHostAddress() + ":" + this.port + path);
	}

	PoolGauge gauge() {
		PoolGauge gauge = this.gauge;
		if (gauge == null) {
			throw new IllegalStateException("The " + this.name + " instance is not running");
		}
		return gauge;
	}

	/**
	 * Sends SIGTERM, as a service manager or Ctrl-C would.
	 */
	void terminate() {
		this.process.destroy();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	int exitValue() {
		return this.process.exitValue();
	}

	/**
	 * Whether a new server could bind the instance's port now.
	 */
	boolean portIsFree() {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(LOOPBACK, this.port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() throws IOException, InterruptedException {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		if (this.gauge != null) {
			this.gauge.close();
		}
		this.database.close();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
			return socket.getLocalPort();
		}
	}

}
