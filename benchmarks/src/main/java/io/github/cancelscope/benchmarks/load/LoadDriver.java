package io.github.cancelscope.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Reproduces the pool-exhaustion incident, and its fix, in one run. Starts two instances of the
 * sample — without cancelscope ({@code --cancelscope.enabled=false}) and with it — each in a JVM of
 * its own with a PostgreSQL of its own, and gives them the same load one after the other:
 * <ol>
 * <li><b>incident</b>: closed-loop clients (200 by default), one request in three to {@code /zombie}
 * (two slow queries, then a failure), the rest to {@code /healthy} (one short query); the pool and the
 * server sampled every 250 ms;</li>
 * <li><b>fault-free</b>: only {@code /healthy}, in interleaved slices, for the starter's per-request
 * cost;</li>
 * <li><b>shutdown</b>: SIGTERM while the incident mix is in flight: when the port is free, when the
 * process is gone, what it left running on the database.</li>
 * </ol>
 * The opt-in <b>watcher</b> phase ({@code --phases=watcher}, see {@link WatcherPhase}) starts two other
 * instances, both with cancelscope, the HTTP/1.1 client-disconnect watcher off and on, and writes
 * {@code watcher-results.json}; {@code load-results.json} is only written when one of the first three
 * phases ran.
 * Prints Markdown tables and writes {@code load-results.json} and {@code load-chart.svg} into
 * {@code benchmarks/results}. {@code --help} lists the flags.
 */
public final class LoadDriver {

	private static final String OFF = "without-cancelscope";

	private static final String ON = "with-cancelscope";

	private final LoadOptions options;

	private final Path sampleJar;

	private final Path logFolder;

	private final Map<String, Object> machine = new LinkedHashMap<>();

	private LoadDriver(LoadOptions options, Path sampleJar, Path logFolder) {
		this.options = options;
		this.sampleJar = sampleJar;
		this.logFolder = logFolder;
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
		if (Arrays.asList(args).contains("--help")) {
			System.out.print(LoadOptions.usage());
			return;
		}
		Path project = projectFolder();
		LoadOptions options;
		try {
			options = LoadOptions.parse(args, project);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.print(LoadOptions.usage());
			System.exit(2);
			return;
		}
		Path jar = sampleJar(options, project);
		Path logs = Files.createTempDirectory("cancelscope-load-");
		new LoadDriver(options, jar, logs).run(args);
	}

	private void run(String[] args) throws Exception {
		String started = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
		long begin = System.nanoTime();
		this.machine.put("date", started);
		this.machine.put("cores", Runtime.getRuntime().availableProcessors());
		this.machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
				+ System.getProperty("os.arch"));
		this.machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
		this.machine.put("loadAverageAtStart", loadAverage());
		log("sample jar %s; instance logs in %s", this.sampleJar, this.logFolder);
		log("machine: %s cores, load average %s", this.machine.get("cores"), this.machine.get("loadAverageAtStart"));

		boolean loadPhases = this.options.runs("incident") || this.options.runs("fault-free")
				|| this.options.runs("shutdown");
		@Nullable IncidentRun incidentOff = null;
		@Nullable IncidentRun incidentOn = null;
		List<FaultFreeSlice> faultFree = new ArrayList<>();
		@Nullable ShutdownRun shutdownOff = null;
		@Nullable ShutdownRun shutdownOn = null;
		if (loadPhases) {
			try (SampleInstance off = SampleInstance.start(OFF, false, this.sampleJar, this.options, this.logFolder)) {
				log("%s: port %d, pid %d", OFF, off.port(), off.pid());
				try (SampleInstance on = SampleInstance.start(ON, true, this.sampleJar, this.options, this.logFolder)) {
					log("%s: port %d, pid %d", ON, on.port(), on.pid());
					warmUp(off);
					warmUp(on);
					if (this.options.runs("incident")) {
						incidentOff = incident(off);
						incidentOn = incident(on);
					}
					if (this.options.runs("fault-free")) {
						faultFree = faultFree(off, on);
					}
					if (this.options.runs("shutdown")) {
						shutdownOff = shutdown(off);
						shutdownOn = shutdown(on);
					}
				}
			}
		}
		@Nullable Map<String, Object> watcher = null;
		StringBuilder watcherTables = new StringBuilder();
		long watcherBegin = System.nanoTime();
		if (this.options.runs("watcher")) {
			watcher = new WatcherPhase(this.options, this.sampleJar, this.logFolder).run(watcherTables);
		}
		this.machine.put("loadAverageAtEnd", loadAverage());
		this.machine.put("runSeconds", Math.round((System.nanoTime() - begin) / 1e9));
		this.machine.put("note", this.options.note());
		if (loadPhases) {
			report(args, incidentOff, incidentOn, faultFree, shutdownOff, shutdownOn);
		}
		if (watcher != null) {
			reportWatcher(args, watcher, watcherTables, Math.round((System.nanoTime() - watcherBegin) / 1e9));
		}
	}

	private void reportWatcher(String[] args, Map<String, Object> watcher, StringBuilder tables, long seconds)
			throws IOException {
		Map<String, Object> result = new LinkedHashMap<>();
		Map<String, Object> machine = new LinkedHashMap<>(this.machine);
		machine.put("watcherPhaseSeconds", seconds);
		result.put("machine", machine);
		result.put("command", command(args));
		result.put("sampleJvmOptions", this.options.sampleJvmOptions());
		result.putAll(watcher);
		System.out.println();
		System.out.print(tables);
		Files.createDirectories(this.options.results());
		Path json = this.options.results().resolve("watcher-results.json");
		Files.writeString(json, Json.write(result), StandardCharsets.UTF_8);
		log("wrote %s", json);
	}

	private void warmUp(SampleInstance instance) throws Exception {
		Duration warmup = this.options.warmup();
		if (warmup.isZero()) {
			return;
		}
		log("%s: warm-up %s (fault-free, then short zombies)", instance.name(), LoadOptions.format(warmup));
		long origin = System.nanoTime();
		try (ClientLoad load = new ClientLoad(instance.uri(""), 0, this.options.query(), this.options.failAfter(),
				this.options.clientTimeout(), this.options.think(), origin)) {
			load.start(this.options.clients(), warmup, this.options.maxRequestsPerClient());
			load.await(warmup.plus(this.options.clientTimeout()).plusSeconds(10));
		}
		// the zombie path too, with queries short enough to end by themselves
		origin = System.nanoTime();
		Duration zombies = Duration.ofSeconds(2);
		try (ClientLoad load = new ClientLoad(instance.uri(""), 0.5, Duration.ofMillis(100), Duration.ofMillis(50),
				this.options.clientTimeout(), this.options.think(), origin)) {
			load.start(Math.min(20, this.options.clients()), zombies, this.options.maxRequestsPerClient());
			load.await(zombies.plus(this.options.clientTimeout()).plusSeconds(10));
		}
		awaitDrained(instance, Duration.ofSeconds(15));
	}

	/**
	 * Starts the incident mix: closed-loop clients, or arrivals at the rate asked for.
	 */
	private void startIncident(ClientLoad load, Duration duration) {
		if (this.options.rate() > 0) {
			load.startAtRate(this.options.rate(), this.options.clients(), duration);
		}
		else {
			load.start(this.options.clients(), duration, this.options.maxRequestsPerClient());
		}
	}

	private String arrivals() {
		return (this.options.rate() > 0)
				? String.format(Locale.ROOT, "open loop at %.0f requests/s (at most %d in flight)", this.options.rate(),
						this.options.clients())
				: this.options.clients() + " closed-loop clients";
	}

	private IncidentRun incident(SampleInstance instance) throws Exception {
		log("%s: incident mix, %s, %.0f%% to /zombie?query=%s&failAfter=%s, %s", instance.name(), arrivals(),
				this.options.zombieShare() * 100, LoadOptions.format(this.options.query()),
				LoadOptions.format(this.options.failAfter()), LoadOptions.format(this.options.duration()));
		long origin = System.nanoTime();
		PoolSampler sampler = new PoolSampler(instance.gauge(), origin, this.options.sampleInterval()).start();
		List<Exchange> exchanges;
		try (ClientLoad load = new ClientLoad(instance.uri(""), this.options.zombieShare(), this.options.query(),
				this.options.failAfter(), this.options.clientTimeout(), this.options.think(), origin)) {
			startIncident(load, this.options.duration());
			exchanges = load.await(this.options.duration().plus(this.options.clientTimeout()).plusSeconds(10));
		}
		long loadEnd = System.nanoTime() - origin;
		PoolSample atLoadEnd = sampler.sampleNow();
		long drained = -1;
		long limit = System.nanoTime() + drainLimit().toNanos();
		PoolSample sample = atLoadEnd;
		while (!sample.isDrained() && System.nanoTime() < limit) {
			Thread.sleep(50);
			sample = sampler.sampleNow();
		}
		if (sample.isDrained()) {
			drained = sample.time();
		}
		List<PoolSample> samples = sampler.stop();
		IncidentRun run = new IncidentRun(instance.name(), instance.cancelscope(), this.options.duration(),
				this.options.poolSize(), exchanges, samples, loadEnd, atLoadEnd, drained);
		log("%s: %.1f healthy/s, p99 %.0f ms, %d healthy errors; %d slow queries on the server when the load stopped",
				instance.name(), run.healthyThroughput(), run.healthyLatency().p99(), run.healthyErrors(),
				atLoadEnd.queriesOnServer());
		return run;
	}

	private List<FaultFreeSlice> faultFree(SampleInstance off, SampleInstance on) throws Exception {
		int slices = this.options.faultFreeSlices();
		Duration slice = this.options.faultFree().dividedBy(slices);
		log("fault-free mix: %d clients, only /healthy, %d slices of %s per instance, taken in turn",
				this.options.clients(), slices, LoadOptions.format(slice));
		awaitDrained(off, drainLimit());
		awaitDrained(on, drainLimit());
		List<FaultFreeSlice> results = new ArrayList<>();
		for (int i = 0; i < slices; i++) {
			List<SampleInstance> order = (i % 2 == 0) ? List.of(off, on) : List.of(on, off);
			for (SampleInstance instance : order) {
				long origin = System.nanoTime();
				try (ClientLoad load = new ClientLoad(instance.uri(""), 0, this.options.query(),
						this.options.failAfter(), this.options.clientTimeout(), this.options.think(), origin)) {
					load.start(this.options.clients(), slice, this.options.maxRequestsPerClient());
					List<Exchange> exchanges = load.await(slice.plus(this.options.clientTimeout()).plusSeconds(10));
					FaultFreeSlice result = new FaultFreeSlice(instance.name(), instance.cancelscope(), i, slice,
							exchanges);
					results.add(result);
					log("%s: slice %d, %.1f healthy/s, p99 %.1f ms", instance.name(), i, result.throughput(),
							result.latency().p99());
				}
			}
		}
		return results;
	}

	private ShutdownRun shutdown(SampleInstance instance) throws Exception {
		log("%s: incident mix for %s, then SIGTERM", instance.name(),
				LoadOptions.format(this.options.shutdownAfter()));
		awaitDrained(instance, drainLimit());
		long origin = System.nanoTime();
		PoolGauge gauge = instance.gauge();
		try (ClientLoad load = new ClientLoad(instance.uri(""), this.options.zombieShare(), this.options.query(),
				this.options.failAfter(), this.options.clientTimeout(), this.options.think(), origin)) {
			Duration sendFor = this.options.shutdownAfter().plus(this.options.clientTimeout()).plusSeconds(30);
			startIncident(load, sendFor);
			Thread.sleep(this.options.shutdownAfter());
			if (instance.portIsFree()) {
				throw new IllegalStateException("The port probe sees port " + instance.port() + " free while "
						+ instance.name() + " listens on it: it cannot measure when the port is released");
			}
			int inFlight = load.inFlight();
			long signal = System.nanoTime();
			instance.terminate();
			load.stop();
			double portFree = -1;
			double exited = -1;
			long limit = signal + Duration.ofSeconds(60).toNanos();
			while ((portFree < 0 || exited < 0) && System.nanoTime() < limit) {
				if (portFree < 0 && instance.portIsFree()) {
					portFree = (System.nanoTime() - signal) / 1e6;
				}
				if (exited < 0 && !instance.isAlive()) {
					exited = (System.nanoTime() - signal) / 1e6;
				}
				Thread.sleep(5);
			}
			int exitCode = instance.isAlive() ? -1 : instance.exitValue();
			int queriesAfterExit = gauge.queriesOnServer();
			double serverIdle = -1;
			long idleLimit = System.nanoTime() + this.options.query().plusSeconds(10).toNanos();
			while (System.nanoTime() < idleLimit) {
				if (gauge.queriesOnServer() == 0) {
					serverIdle = (System.nanoTime() - signal) / 1e6;
					break;
				}
				Thread.sleep(20);
			}
			long signalTime = signal - origin;
			List<Exchange> afterSignal = load.await(this.options.clientTimeout().plusSeconds(10))
				.stream()
				.filter((exchange) -> exchange.start() < signalTime && exchange.end() >= signalTime)
				.toList();
			ShutdownRun run = new ShutdownRun(instance.name(), instance.cancelscope(), inFlight, portFree, exited,
					exitCode, afterSignal, queriesAfterExit, serverIdle);
			log("%s: %d in flight at SIGTERM; port free after %.0f ms, exited after %.0f ms (code %d); "
					+ "%d slow queries on the server after exit", instance.name(), inFlight, portFree, exited,
					exitCode, queriesAfterExit);
			return run;
		}
	}

	/**
	 * Long enough for a query nobody waits for to end by itself, and for a thread waiting for a
	 * connection to give up.
	 */
	private Duration drainLimit() {
		return this.options.query().plus(this.options.poolTimeout()).plusSeconds(5);
	}

	private void awaitDrained(SampleInstance instance, Duration timeout) throws InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < end) {
			if (instance.gauge().sample(0).isDrained()) {
				return;
			}
			Thread.sleep(100);
		}
		log("%s: pool or server still busy after %s; going on", instance.name(), LoadOptions.format(timeout));
	}

	private void report(String[] args, @Nullable IncidentRun incidentOff, @Nullable IncidentRun incidentOn,
			List<FaultFreeSlice> faultFree, @Nullable ShutdownRun shutdownOff, @Nullable ShutdownRun shutdownOn)
			throws IOException {
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("machine", this.machine);
		result.put("command", command(args));
		result.put("parameters", this.options.asMap());
		StringBuilder tables = new StringBuilder();
		if (incidentOff != null && incidentOn != null) {
			tables.append(ResultTable.incident(incidentOff, incidentOn)).append('\n');
			Map<String, Object> incident = new LinkedHashMap<>();
			incident.put(OFF, incidentOff.asMap());
			incident.put(ON, incidentOn.asMap());
			Map<String, Object> ratios = new LinkedHashMap<>();
			ratios.put("healthyThroughput", ratio(incidentOn.healthyThroughput(), incidentOff.healthyThroughput()));
			ratios.put("healthyP50", ratio(incidentOn.healthyLatency().p50(), incidentOff.healthyLatency().p50()));
			ratios.put("healthyP99", ratio(incidentOn.healthyLatency().p99(), incidentOff.healthyLatency().p99()));
			ratios.put("healthyMax", ratio(incidentOn.healthyLatency().max(), incidentOff.healthyLatency().max()));
			ratios.put("healthyErrors", ratio(incidentOn.healthyErrors(), incidentOff.healthyErrors()));
			incident.put("ratiosWithToWithout", ratios);
			result.put("incident", incident);
		}
		if (!faultFree.isEmpty()) {
			tables.append(ResultTable.faultFree(faultFree)).append('\n');
			double off = ResultTable.throughput(faultFree.stream().filter((slice) -> !slice.cancelscope()).toList());
			double on = ResultTable.throughput(faultFree.stream().filter(FaultFreeSlice::cancelscope).toList());
			Map<String, Object> faultFreeResult = new LinkedHashMap<>();
			faultFreeResult.put("throughputWithout", LatencySummary.round(off));
			faultFreeResult.put("throughputWith", LatencySummary.round(on));
			faultFreeResult.put("throughputRatioWithToWithout", ratio(on, off));
			faultFreeResult.put("slices", faultFree.stream().map(FaultFreeSlice::asMap).toList());
			result.put("faultFree", faultFreeResult);
		}
		if (shutdownOff != null || shutdownOn != null) {
			tables.append(ResultTable.shutdown(shutdownOff, shutdownOn)).append('\n');
			Map<String, Object> shutdown = new LinkedHashMap<>();
			shutdown.put("springBootDefaults", "server.shutdown=graceful; the sample sets "
					+ "spring.lifecycle.timeout-per-shutdown-phase=20s");
			shutdown.put("cancelscopeShutdownGrace", LoadOptions.format(this.options.shutdownGrace()));
			if (shutdownOff != null) {
				shutdown.put(OFF, shutdownOff.asMap());
			}
			if (shutdownOn != null) {
				shutdown.put(ON, shutdownOn.asMap());
			}
			result.put("shutdown", shutdown);
		}
		System.out.println();
		System.out.print(tables);
		Files.createDirectories(this.options.results());
		Path json = this.options.results().resolve("load-results.json");
		Files.writeString(json, Json.write(result), StandardCharsets.UTF_8);
		log("wrote %s", json);
		if (incidentOff != null && incidentOn != null) {
			Path svg = this.options.results().resolve("load-chart.svg");
			String subtitle = this.machine.get("date").toString().substring(0, 16).replace('T', ' ') + " UTC, "
					+ this.machine.get("cores") + " cores, PostgreSQL (embedded), /zombie?query="
					+ LoadOptions.format(this.options.query()) + "&failAfter="
					+ LoadOptions.format(this.options.failAfter()) + ", pool timeout "
					+ LoadOptions.format(this.options.poolTimeout()) + ", request deadline "
					+ LoadOptions.format(this.options.requestTimeout());
			Files.writeString(svg, OccupancyChart.draw(incidentOff, incidentOn, this.options, subtitle),
					StandardCharsets.UTF_8);
			log("wrote %s", svg);
		}
	}

	private static double ratio(double on, double off) {
		return (off == 0) ? Double.NaN : Math.round(on / off * 1000) / 1000.0;
	}

	private static String command(String[] args) {
		StringBuilder command = new StringBuilder(
				"java -cp benchmarks/target/benchmarks.jar " + LoadDriver.class.getName());
		for (String arg : args) {
			command.append(' ').append(arg);
		}
		return command.toString();
	}

	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException ex) {
			return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		}
	}

	/**
	 * The project's root folder: the working folder, or its parent when run from {@code benchmarks}.
	 */
	private static Path projectFolder() {
		Path here = Path.of("").toAbsolutePath();
		for (Path folder = here; folder != null; folder = folder.getParent()) {
			if (Files.isDirectory(folder.resolve("sample")) && Files.isDirectory(folder.resolve("benchmarks"))) {
				return folder;
			}
		}
		return here;
	}

	private static Path sampleJar(LoadOptions options, Path project) throws IOException {
		Path given = options.sampleJar();
		if (given != null) {
			if (!Files.isRegularFile(given)) {
				throw new IllegalArgumentException("--sample-jar: no file at " + given);
			}
			return given;
		}
		Path target = project.resolve("sample/target");
		if (Files.isDirectory(target)) {
			try (Stream<Path> files = Files.list(target)) {
				List<Path> jars = files
					.filter((file) -> file.getFileName().toString().matches("cancelscope-sample-.*\\.jar"))
					.toList();
				if (!jars.isEmpty()) {
					return jars.getFirst();
				}
			}
			catch (UncheckedIOException ex) {
				throw ex.getCause();
			}
		}
		throw new IllegalStateException("No sample jar in " + target + ". Build it first:\n"
				+ "  ./mvnw -q -pl sample,benchmarks -am package -DskipTests\n" + "or point to it with --sample-jar=");
	}

	static void log(String format, Object... args) {
		System.out.printf(Locale.ROOT, "[load %s] %s%n",
				LocalTime.now().withNano(0), String.format(Locale.ROOT, format, args));
	}

}
