package io.github.cancelscope.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * The load driver's flags, each {@code --name=value}; {@code --help} lists them with their defaults.
 *
 * @param clients concurrent clients, each a virtual thread sending one request after the other; with
 * a {@code rate}, the most requests in flight at once
 * @param rate arrivals per second in the incident phases (open loop: the same arrivals however fast
 * the server answers), or {@code 0} for closed-loop clients
 * @param duration how long each instance takes the incident mix
 * @param zombieShare share of requests that go to {@code /zombie}, the rest to {@code /healthy}
 * @param query how long each of the zombie endpoint's two queries runs on the server
 * @param failAfter when the zombie endpoint's "shipping call" fails
 * @param poolSize Hikari's maximum pool size
 * @param poolTimeout Hikari's connection timeout: how long a request waits for a connection
 * @param clientTimeout how long a client waits for a response before it gives up
 * @param think how long a client pauses between one response and its next request
 * @param requestTimeout cancelscope's request deadline ({@code cancelscope.request.timeout})
 * @param shutdownGrace cancelscope's shutdown grace ({@code cancelscope.shutdown.grace})
 * @param warmup fault-free load on each instance before anything is measured
 * @param faultFree fault-free measurement time per instance, split into interleaved slices
 * @param faultFreeSlices how many slices each instance's fault-free time is split into
 * @param shutdownAfter how long the incident mix runs before SIGTERM in the shutdown phase
 * @param sampleInterval how often the pool and the server are sampled
 * @param maxRequestsPerClient upper bound on one client's requests in one phase
 * @param phases which phases to run: {@code incident}, {@code fault-free}, {@code shutdown}, and the
 * opt-in {@code watcher}
 * @param sampleJar the sample's runnable jar, or {@code null} to look for it
 * @param results the folder the JSON and SVG go to
 * @param sampleJvmOptions options for the sample's JVMs
 * @param note free text stored with the results (for example "machine shared with a test suite")
 * @param watcher the {@code watcher} phase's settings
 */
record LoadOptions(int clients, double rate, Duration duration, double zombieShare, Duration query, Duration failAfter,
		int poolSize, Duration poolTimeout, Duration clientTimeout, Duration think, Duration requestTimeout,
		Duration shutdownGrace,
		Duration warmup, Duration faultFree, int faultFreeSlices, Duration shutdownAfter, Duration sampleInterval,
		int maxRequestsPerClient, Set<String> phases, @Nullable Path sampleJar, Path results,
		List<String> sampleJvmOptions, String note, WatcherOptions watcher) {

	static final Set<String> ALL_PHASES = Set.of("incident", "fault-free", "shutdown", "watcher");

	private static final Map<String, String> DEFAULTS = defaults();

	private static Map<String, String> defaults() {
		Map<String, String> defaults = new LinkedHashMap<>();
		defaults.put("clients", "200");
		defaults.put("rate", "0");
		defaults.put("duration", "30s");
		defaults.put("zombie-share", "0.333");
		defaults.put("query", "5s");
		defaults.put("fail-after", "300ms");
		defaults.put("pool-size", "10");
		defaults.put("pool-timeout", "3s");
		defaults.put("client-timeout", "5s");
		defaults.put("think", "0ms");
		defaults.put("request-timeout", "2s");
		defaults.put("shutdown-grace", "1s");
		defaults.put("warmup", "10s");
		defaults.put("fault-free", "20s");
		defaults.put("fault-free-slices", "4");
		defaults.put("shutdown-after", "3s");
		defaults.put("sample-interval", "250ms");
		defaults.put("max-requests-per-client", "100000");
		defaults.put("phases", "incident,fault-free,shutdown");
		defaults.put("sample-jar", "");
		defaults.put("results", "");
		defaults.put("sample-jvm-options", "-Xms256m -Xmx1g");
		defaults.put("note", "");
		// the opt-in watcher phase (--phases=watcher): the HTTP/1.1 client-disconnect watcher on and off
		defaults.put("watcher-path", "/work");
		defaults.put("watcher-warmup", "5s");
		defaults.put("watcher-time", "20s");
		defaults.put("watcher-slices", "4");
		defaults.put("watcher-connections", "200");
		defaults.put("watcher-close", "100");
		defaults.put("watcher-hold", "20s");
		defaults.put("watcher-keep", "3s");
		defaults.put("watcher-observe", "5s");
		return defaults;
	}

	static String usage() {
		StringBuilder usage = new StringBuilder("""
				Usage: java -cp benchmarks/target/benchmarks.jar io.github.cancelscope.benchmarks.load.LoadDriver [--name=value ...]
				Starts two instances of the sample (cancelscope off, then on), each with an embedded PostgreSQL,
				and drives them with the incident mix, a fault-free mix and a shutdown under load.
				--phases=watcher (opt-in, about 2 minutes on two cores) starts two other instances, both with
				cancelscope, the client-disconnect watcher off and on: throughput of a trivial endpoint side by
				side, and close-to-cancel latency with watcher-connections open, watcher-close of them closed
				at once; it writes watcher-results.json.
				With --rate=N (N > 0) the incident and shutdown phases are open-loop: N requests a second
				arrive whatever the server does, at most --clients of them in flight (an arrival beyond that is
				recorded as "not sent"), and a latency counts from the moment the request was due.
				Flags and defaults (durations: 300ms, 5s, 1m or ISO-8601):
				""");
		DEFAULTS.forEach((name, value) -> usage.append("  --").append(name).append('=').append(value).append('\n'));
		usage.append("  sample-jar: default sample/target/cancelscope-sample-*.jar under the project folder\n");
		usage.append("  results: default benchmarks/results under the project folder\n");
		return usage.toString();
	}

	/**
	 * Parses {@code --name=value} flags.
	 * @throws IllegalArgumentException for an unknown flag or a malformed value
	 */
	static LoadOptions parse(String[] args, Path projectFolder) {
		Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
		for (String arg : args) {
			int equals = arg.indexOf('=');
			if (!arg.startsWith("--") || equals < 0) {
				throw new IllegalArgumentException("Expected --name=value, got '" + arg + "'");
			}
			String name = arg.substring(2, equals);
			if (!values.containsKey(name)) {
				throw new IllegalArgumentException("Unknown flag --" + name);
			}
			values.put(name, arg.substring(equals + 1));
		}
		Set<String> phases = Set.copyOf(Arrays.asList(values.get("phases").split(",")));
		if (!ALL_PHASES.containsAll(phases)) {
			throw new IllegalArgumentException("--phases takes " + ALL_PHASES + ", got " + phases);
		}
		double zombieShare = Double.parseDouble(values.get("zombie-share"));
		if (zombieShare < 0 || zombieShare > 1) {
			throw new IllegalArgumentException("--zombie-share must be between 0 and 1");
		}
		String jar = values.get("sample-jar");
		String results = values.get("results");
		List<String> jvmOptions = new ArrayList<>();
		for (String option : values.get("sample-jvm-options").trim().split("\\s+")) {
			if (!option.isEmpty()) {
				jvmOptions.add(option);
			}
		}
		double rate = Double.parseDouble(values.get("rate"));
		if (!(rate >= 0 && rate <= 100_000)) {
			throw new IllegalArgumentException("--rate must be between 0 (closed loop) and 100000 arrivals per second");
		}
		return new LoadOptions(positive(values, "clients"), rate, duration(values, "duration"), zombieShare,
				duration(values, "query"), duration(values, "fail-after"), positive(values, "pool-size"),
				duration(values, "pool-timeout"), duration(values, "client-timeout"), duration(values, "think"),
				duration(values, "request-timeout"), duration(values, "shutdown-grace"), duration(values, "warmup"),
				duration(values, "fault-free"), positive(values, "fault-free-slices"),
				duration(values, "shutdown-after"), duration(values, "sample-interval"),
				positive(values, "max-requests-per-client"), phases, jar.isEmpty() ? null : Path.of(jar),
				results.isEmpty() ? projectFolder.resolve("benchmarks/results") : Path.of(results),
				List.copyOf(jvmOptions), values.get("note"), watcher(values));
	}

	private static WatcherOptions watcher(Map<String, String> values) {
		String path = values.get("watcher-path");
		if (!path.startsWith("/")) {
			throw new IllegalArgumentException("--watcher-path must start with /");
		}
		int connections = positive(values, "watcher-connections");
		int close = positive(values, "watcher-close");
		if (close > connections) {
			throw new IllegalArgumentException("--watcher-close cannot exceed --watcher-connections");
		}
		WatcherOptions watcher = new WatcherOptions(path, duration(values, "watcher-warmup"),
				duration(values, "watcher-time"), positive(values, "watcher-slices"), connections, close,
				duration(values, "watcher-hold"), duration(values, "watcher-keep"), duration(values, "watcher-observe"));
		if (watcher.keep().compareTo(watcher.hold()) >= 0) {
			throw new IllegalArgumentException("--watcher-keep must be shorter than --watcher-hold");
		}
		return watcher;
	}

	boolean runs(String phase) {
		return this.phases.contains(phase);
	}

	/**
	 * The flags as given or defaulted, for the result file.
	 */
	Map<String, Object> asMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("clients", this.clients);
		map.put("rate", this.rate);
		map.put("duration", format(this.duration));
		map.put("zombieShare", this.zombieShare);
		map.put("query", format(this.query));
		map.put("failAfter", format(this.failAfter));
		map.put("poolSize", this.poolSize);
		map.put("poolTimeout", format(this.poolTimeout));
		map.put("clientTimeout", format(this.clientTimeout));
		map.put("think", format(this.think));
		map.put("requestTimeout", format(this.requestTimeout));
		map.put("shutdownGrace", format(this.shutdownGrace));
		map.put("warmup", format(this.warmup));
		map.put("faultFree", format(this.faultFree));
		map.put("faultFreeSlices", this.faultFreeSlices);
		map.put("shutdownAfter", format(this.shutdownAfter));
		map.put("sampleInterval", format(this.sampleInterval));
		map.put("maxRequestsPerClient", this.maxRequestsPerClient);
		map.put("phases", List.copyOf(new TreeSet<>(this.phases)));
		map.put("sampleJvmOptions", this.sampleJvmOptions);
		return map;
	}

	/**
	 * The {@code watcher} phase's settings.
	 *
	 * @param path the trivial endpoint driven with the watcher on and off
	 * @param warmup load on each instance before anything is measured
	 * @param time measurement time per instance, split into interleaved slices
	 * @param slices how many slices each instance's time is split into
	 * @param connections keep-alive connections opened for the close-to-cancel measurement
	 * @param close how many of them are closed at once, each with a request in flight
	 * @param hold how long the requests that are closed would run ({@code /slow?duration=})
	 * @param keep how long the requests that stay open run: they must all be answered
	 * @param observe how long to wait for the closed requests' cancellations
	 */
	record WatcherOptions(String path, Duration warmup, Duration time, int slices, int connections, int close,
			Duration hold, Duration keep, Duration observe) {

		Map<String, Object> asMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("path", this.path);
			map.put("warmup", format(this.warmup));
			map.put("time", format(this.time));
			map.put("slices", this.slices);
			map.put("connections", this.connections);
			map.put("close", this.close);
			map.put("hold", format(this.hold));
			map.put("keep", format(this.keep));
			map.put("observe", format(this.observe));
			return map;
		}

	}

	static String format(Duration duration) {
		long millis = duration.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

	private static int positive(Map<String, String> values, String name) {
		int value = Integer.parseInt(values.get(name));
		if (value <= 0) {
			throw new IllegalArgumentException("--" + name + " must be positive");
		}
		return value;
	}

	static Duration duration(Map<String, String> values, String name) {
		String text = values.get(name).trim().toLowerCase(Locale.ROOT);
		try {
			if (text.endsWith("ms")) {
				return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
			}
			if (text.endsWith("s")) {
				return Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
			}
			if (text.endsWith("m") && !text.startsWith("p")) {
				return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
			}
			return Duration.parse(text.toUpperCase(Locale.ROOT));
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("--" + name + ": '" + values.get(name) + "' is not a duration", ex);
		}
	}

}
