package io.github.cancelscope.benchmarks.chaos;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;
import org.jspecify.annotations.Nullable;

/**
 * The sample in a JVM of its own, on the controlled PostgreSQL, with Spring Boot's actuator added
 * from the command line (the jar is started through {@code PropertiesLauncher} with
 * {@code loader.path}), and {@code localhost} resolved to {@code 127.0.0.2} through a hosts file
 * ({@code jdk.net.hosts.file}): the dashboard's upstream, {@code http://localhost:<its port>},
 * then reaches the suite's {@link Downstream} on 127.0.0.2 and the same port. Nothing in the
 * sample is changed.
 */
final class ChaosApp implements AutoCloseable {

	static final String LOOPBACK = InetAddress.getLoopbackAddress().getHostAddress();

	/** The sample's request deadline, for the requests that don't ask for one: the storms'. */
	static final Duration STORM_DEADLINE = Duration.ofSeconds(150);

	/** How long a storm's request runs if nothing cancels it. */
	static final Duration STORM_HOLD = Duration.ofSeconds(120);

	private static final Pattern FORK_THREAD = Pattern
		.compile("\"name\"\\s*:\\s*\"(cancelscope-[^\"]+-fork|cancelscope-fork-\\d+)\"");

	private static final Pattern VALUE = Pattern.compile("\"value\"\\s*:\\s*([-0-9.Ee]+)");

	private static final Pattern SCOPE_PATH = Pattern.compile("\"kind\"\\s*:\\s*\"[^\"]*\"\\s*,\\s*\"method\"\\s*:"
			+ "\\s*(?:null|\"[^\"]*\")\\s*,\\s*\"path\"\\s*:\\s*\"([^\"]*)\"");

	private final Process process;

	private final int port;

	private final Path log;

	private final Path work;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final AtomicInteger dumps = new AtomicInteger();

	private @Nullable JMXConnector jmx;

	private ChaosApp(Process process, int port, Path log, Path work) {
		this.process = process;
		this.port = port;
		this.log = log;
		this.work = work;
	}

	/**
	 * Starts the sample on {@code port} and waits until {@code /healthy} answers 200.
	 */
	static ChaosApp start(ChaosOptions options, ControlledPostgres postgres, int port, Path work, String name,
			List<String> extra) throws Exception {
		Path hosts = work.resolve("hosts");
		Files.writeString(hosts, "127.0.0.2 localhost\n127.0.0.1 " + InetAddress.getLocalHost().getHostName() + "\n",
				StandardCharsets.US_ASCII);
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(options.jvmOptions());
		command.add("-Djdk.net.hosts.file=" + hosts);
		command.add("-Dloader.path=" + options.actuatorLib());
		command.add("-cp");
		command.add(options.sampleJar().toString());
		command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
		command.add("--server.port=" + port);
		command.add("--server.address=" + LOOPBACK);
		command.add("--spring.main.banner-mode=off");
		command.add("--spring.profiles.active=postgres");
		command.add("--spring.datasource.url=" + postgres.jdbcUrl());
		command.add("--spring.datasource.username=postgres");
		command.add("--spring.datasource.password=postgres");
		command.add("--spring.datasource.hikari.register-mbeans=true");
		command.add("--management.endpoints.web.exposure.include=cancelscope,metrics");
		// a storm's requests must outlive the storm's set-up on a loaded machine; the load's requests
		// ask for a short deadline with the X-Request-Timeout-Ms header
		command.add("--cancelscope.request.timeout=" + ChaosOptions.format(STORM_DEADLINE));
		command.add("--cancelscope.request.max-timeout=" + ChaosOptions.format(STORM_DEADLINE));
		command.add("--cancelscope.shutdown.grace=" + ChaosOptions.format(options.shutdownGrace()));
		// room for the storms: a worker per connection, as in DisconnectStormTests
		command.add("--server.tomcat.threads.max=" + (options.largestStorm() + 50));
		command.add("--server.tomcat.max-connections=" + (2 * options.largestStorm() + 100));
		command.add("--server.tomcat.accept-count=" + options.largestStorm());
		command.add("--server.tomcat.max-keep-alive-requests=-1");
		// the server's own view of each request's time (%D: microseconds), to tell a response held by
		// the server from one delayed on its way (a starved machine)
		command.add("--server.tomcat.basedir=" + work.resolve("tomcat"));
		command.add("--server.tomcat.accesslog.enabled=true");
		command.add("--server.tomcat.accesslog.directory=" + work);
		command.add("--server.tomcat.accesslog.prefix=access");
		command.add("--server.tomcat.accesslog.suffix=.log");
		command.add("--server.tomcat.accesslog.rotate=false");
		command.add("--server.tomcat.accesslog.buffered=false");
		command.add("--server.tomcat.accesslog.pattern=%U%q %s %D");
		for (String argument : extra) {
			// Spring Boot joins a repeated argument with commas: replace the suite's own instead
			String flag = argument.substring(0, argument.indexOf('=') + 1);
			command.removeIf((given) -> given.startsWith(flag));
			command.add(argument);
		}
		Path log = work.resolve(name + ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		ChaosApp app = new ChaosApp(process, port, log, work);
		try {
			app.awaitHealthy(Duration.ofMinutes(3));
		}
		catch (Exception ex) {
			app.close();
			throw ex;
		}
		return app;
	}

	private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < end) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("The sample exited with code " + this.process.exitValue() + ":\n"
						+ logTail());
			}
			try {
				if (get("/healthy", Duration.ofSeconds(5)).statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(200);
		}
		throw new IllegalStateException("The sample did not answer /healthy within " + timeout + ":\n" + logTail());
	}

	HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(timeout).build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	URI uri(String path) {
		return URI.create("http://" + LOOPBACK + ":" + this.port + path);
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	Path log() {
		return this.log;
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	int exitValue() {
		return this.process.exitValue();
	}

	/** SIGTERM, as a service manager sends it. */
	void terminate() {
		this.process.destroy();
	}

	String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.log, StandardCharsets.ISO_8859_1);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	/**
	 * The server's processing time in milliseconds (Tomcat's access log) of the load requests with
	 * these ids ({@code chaos=<id>}).
	 */
	java.util.Map<Long, Double> serverTimes(java.util.Set<Long> ids) throws IOException {
		java.util.Map<Long, Double> times = new java.util.HashMap<>();
		if (ids.isEmpty()) {
			return times;
		}
		Path accessLog = this.work.resolve("access.log");
		if (!Files.exists(accessLog)) {
			return times;
		}
		Pattern line = Pattern.compile("^\\S*[?&]chaos=(\\d+) \\d+ (\\d+)$");
		try (Stream<String> lines = Files.lines(accessLog, StandardCharsets.ISO_8859_1)) {
			lines.forEach((text) -> {
				Matcher matcher = line.matcher(text);
				if (matcher.matches()) {
					long id = Long.parseLong(matcher.group(1));
					if (ids.contains(id)) {
						times.put(id, Long.parseLong(matcher.group(2)) / 1000.0);
					}
				}
			});
		}
		return times;
	}

	/** Threads of the process, from {@code /proc/<pid>/status}; -1 once it is gone. */
	int threads() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
				if (line.startsWith("Threads:")) {
					return Integer.parseInt(line.substring(8).trim());
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// gone
		}
		return -1;
	}

	/**
	 * The process's threads by kind: [all, pooled (see {@link #pooled})], from the names in
	 * {@code /proc/<pid>/task/<tid>/comm}.
	 */
	int[] threadKinds() {
		int all = 0;
		int pooled = 0;
		try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
			for (Path task : tasks.toList()) {
				try {
					String name = Files.readString(task.resolve("comm"), StandardCharsets.ISO_8859_1);
					all++;
					if (pooled(name)) {
						pooled++;
					}
				}
				catch (IOException ex) {
					// ended meanwhile
				}
			}
		}
		catch (IOException ex) {
			return new int[] { -1, -1 };
		}
		return new int[] { all, pooled };
	}

	/**
	 * Whether a thread belongs to a pool that grows under a storm and shrinks only when its threads
	 * have idled long enough: Tomcat's ({@code http-nio-*}: its workers, acceptor and poller; it keeps
	 * its workers) and the JDK {@code HttpClient}'s ({@code HttpClient-<n>-Worker-<m>}, cut to
	 * {@code HttpClient-<n>-Wo} in {@code comm}: a cached pool whose threads idle 60 s before they end).
	 */
	static boolean pooled(String name) {
		return name.startsWith("http-nio-") || name.startsWith("HttpClient-");
	}

	/**
	 * The process's thread names ({@code /proc/<pid>/task/<tid>/comm}, at most 15 characters), digits
	 * replaced by {@code N}, counted.
	 */
	java.util.Map<String, Integer> threadNames() {
		java.util.Map<String, Integer> names = new java.util.TreeMap<>();
		try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
			for (Path task : tasks.toList()) {
				try {
					String name = Files.readString(task.resolve("comm"), StandardCharsets.ISO_8859_1).trim();
					names.merge(name.replaceAll("\\d+", "N"), 1, Integer::sum);
				}
				catch (IOException ex) {
					// ended meanwhile
				}
			}
		}
		catch (IOException ex) {
			// gone
		}
		return names;
	}

	/** Open file descriptors, from {@code /proc/<pid>/fd}; -1 once it is gone. */
	int fds() {
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
			return (int) fds.count();
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** Hikari's active connections, from the actuator's {@code hikaricp.connections.active}. */
	int poolActive() throws IOException, InterruptedException {
		HttpResponse<String> response = get("/actuator/metrics/hikaricp.connections.active", Duration.ofSeconds(5));
		Matcher value = VALUE.matcher(response.body());
		if (response.statusCode() != 200 || !value.find()) {
			throw new IOException("/actuator/metrics/hikaricp.connections.active answered " + response.statusCode()
					+ ": " + response.body());
		}
		return (int) Double.parseDouble(value.group(1));
	}

	/**
	 * The paths of the scopes in flight, from the actuator's {@code cancelscope} endpoint, without
	 * the request that asks.
	 */
	List<String> scopesInFlight() throws IOException, InterruptedException {
		HttpResponse<String> response = get("/actuator/cancelscope", Duration.ofSeconds(10));
		if (response.statusCode() != 200) {
			throw new IOException("/actuator/cancelscope answered " + response.statusCode() + ": " + response.body());
		}
		List<String> paths = new ArrayList<>();
		int matched = 0;
		Matcher matcher = SCOPE_PATH.matcher(response.body());
		while (matcher.find()) {
			matched++;
			if (!matcher.group(1).startsWith("/actuator/")) {
				paths.add(matcher.group(1));
			}
		}
		String compact = response.body().replaceAll("\\s", "");
		if (!compact.contains("\"scopes\":[") || (compact.contains("\"scopes\":[{") && matched == 0)) {
			// the endpoint's shape changed: an empty answer here must not pass as "nothing in flight"
			throw new IOException("cannot read /actuator/cancelscope's answer (has its shape changed?): "
					+ response.body().substring(0, Math.min(300, response.body().length())));
		}
		return paths;
	}

	/**
	 * Fork threads alive (virtual {@code cancelscope-<id>-fork} on Java 21+, the pool's
	 * {@code cancelscope-fork-N} on 17), from the JDK's JSON thread dump, which lists virtual threads
	 * too; taken through the DiagnosticCommand MBean over a local JMX connection.
	 */
	List<String> forkThreads() throws Exception {
		Path file = this.work.resolve("threads-" + this.dumps.incrementAndGet() + ".json");
		mbeans().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "threadDumpToFile",
				new Object[] { new String[] { "-format=json", file.toString() } },
				new String[] { String[].class.getName() });
		String dump = Files.readString(file, StandardCharsets.UTF_8);
		Files.delete(file);
		List<String> forks = new ArrayList<>();
		Matcher matcher = FORK_THREAD.matcher(dump);
		while (matcher.find()) {
			forks.add(matcher.group(1));
		}
		return forks;
	}

	private MBeanServerConnection mbeans() throws Exception {
		JMXConnector jmx = this.jmx;
		if (jmx == null) {
			VirtualMachine vm = VirtualMachine.attach(Long.toString(pid()));
			String address;
			try {
				address = vm.startLocalManagementAgent();
			}
			finally {
				vm.detach();
			}
			jmx = JMXConnectorFactory.connect(new JMXServiceURL(address));
			this.jmx = jmx;
		}
		return jmx.getMBeanServerConnection();
	}

	/**
	 * Waits for the process to exit.
	 * @return whether it exited in time
	 */
	boolean awaitExit(Duration timeout) throws InterruptedException {
		return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() throws InterruptedException {
		JMXConnector jmx = this.jmx;
		this.jmx = null;
		if (jmx != null) {
			try {
				jmx.close();
			}
			catch (IOException ex) {
				// the process is gone
			}
		}
		this.http.close();
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
	}

}
