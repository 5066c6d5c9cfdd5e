package io.github.cancelscope.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.cancelscope.benchmarks.load.LoadOptions.WatcherOptions;
import org.jspecify.annotations.Nullable;

/**
 * The opt-in {@code watcher} phase: two instances of the sample, both with cancelscope, one with the
 * HTTP/1.1 client-disconnect watcher off ({@code --cancelscope.request.disconnect.enabled=false}) and
 * one with it on (its defaults, grace 10 ms).
 * <ol>
 * <li>A trivial endpoint ({@code /work}, no database, by default) under closed-loop clients, in
 * interleaved slices: throughput and latency with the watcher on and off, and their ratio.</li>
 * <li>Close-to-cancel: keep-alive connections, each with a request in flight on {@code /slow} (a
 * forked task that sleeps; no database); some closed at once (FIN), the others must be answered. The
 * time from a socket's close to the sample's log line "&lt;name&gt; cancelled after N ms" (the
 * sample's {@code WorkLog}, millisecond timestamps, same machine clock). The same on the instance
 * without the watcher, as a control.</li>
 * </ol>
 * Both instances get a request deadline longer than the slow requests, so nothing in the window is
 * cancelled by a deadline: a closed request that ends "cancelled" was cancelled by its disconnect.
 */
final class WatcherPhase {

	static final String WATCHER_OFF = "watcher-off";

	static final String WATCHER_ON = "watcher-on";

	/** {@code <timestamp> ... : <name> started}. */
	private static final Pattern STARTED = Pattern.compile("^(\\S+) .*? : (\\S+) started$");

	/** {@code <timestamp> ... : <name> cancelled after 12 ms}. */
	private static final Pattern ENDED = Pattern.compile("^(\\S+) .*? : (\\S+) (cancelled|completed|failed.*) after \\d+ ms$");

	private static final Pattern CLEANUP = Pattern.compile("^cleanup ran: (\\S+)$");

	private final LoadOptions options;

	private final WatcherOptions watcher;

	private final Path jar;

	private final Path logFolder;

	private final AtomicInteger rounds = new AtomicInteger();

	WatcherPhase(LoadOptions options, Path jar, Path logFolder) {
		this.options = options;
		this.watcher = options.watcher();
		this.jar = jar;
		this.logFolder = logFolder;
	}

	/**
	 * Runs the phase, appends its Markdown table to {@code tables}.
	 * @return the results, for the JSON file
	 */
	Map<String, Object> run(StringBuilder tables) throws Exception {
		Duration deadline = this.watcher.hold().plus(this.watcher.observe()).plusSeconds(30);
		List<String> common = List.of("--cancelscope.request.timeout=" + LoadOptions.format(deadline),
				"--cancelscope.request.max-timeout=" + LoadOptions.format(deadline));
		List<FaultFreeSlice> slices;
		CloseToCancelRun closeOn;
		CloseToCancelRun closeOff;
		List<String> warnings = new ArrayList<>();
		try (SampleInstance off = SampleInstance.start(WATCHER_OFF, true, this.jar, this.options, this.logFolder,
				with(common, "--cancelscope.request.disconnect.enabled=false"))) {
			LoadDriver.log("%s: port %d, pid %d", WATCHER_OFF, off.port(), off.pid());
			try (SampleInstance on = SampleInstance.start(WATCHER_ON, true, this.jar, this.options, this.logFolder,
					with(common, "--cancelscope.request.disconnect.enabled=true"))) {
				LoadDriver.log("%s: port %d, pid %d", WATCHER_ON, on.port(), on.pid());
				warnings.addAll(watcherWarnings(on));
				for (String warning : warnings) {
					LoadDriver.log("%s: %s", WATCHER_ON, warning);
				}
				warmUp(off);
				warmUp(on);
				slices = slices(off, on);
				// unrecorded: the cancellation path's first run is cold
				closeToCancel(on, true, 20, 10, Duration.ofMillis(500));
				closeOn = closeToCancel(on, true, this.watcher.connections(), this.watcher.close(),
						this.watcher.keep());
				closeOff = closeToCancel(off, false, this.watcher.connections(), this.watcher.close(),
						this.watcher.keep());
			}
		}
		tables.append(ResultTable.watcher(slices, closeOn, closeOff)).append('\n');
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("parameters", this.watcher.asMap());
		result.put("clients", this.options.clients());
		result.put("requestDeadline", LoadOptions.format(deadline));
		result.put("watcherStartupWarnings", warnings);
		Map<String, Object> throughput = new LinkedHashMap<>();
		List<FaultFreeSlice> offSlices = slices.stream().filter((slice) -> !slice.cancelscope()).toList();
		List<FaultFreeSlice> onSlices = slices.stream().filter(FaultFreeSlice::cancelscope).toList();
		double offThroughput = ResultTable.throughput(offSlices);
		double onThroughput = ResultTable.throughput(onSlices);
		throughput.put("endpoint", "GET " + this.watcher.path());
		throughput.put("throughputWatcherOff", LatencySummary.round(offThroughput));
		throughput.put("throughputWatcherOn", LatencySummary.round(onThroughput));
		throughput.put("throughputRatioOnToOff", ratio(onThroughput, offThroughput));
		double offP50 = mean(offSlices, true);
		double onP50 = mean(onSlices, true);
		double offP99 = mean(offSlices, false);
		double onP99 = mean(onSlices, false);
		throughput.put("p50MsWatcherOff", LatencySummary.round(offP50));
		throughput.put("p50MsWatcherOn", LatencySummary.round(onP50));
		throughput.put("p50RatioOnToOff", ratio(onP50, offP50));
		throughput.put("p99MsWatcherOff", LatencySummary.round(offP99));
		throughput.put("p99MsWatcherOn", LatencySummary.round(onP99));
		throughput.put("p99RatioOnToOff", ratio(onP99, offP99));
		throughput.put("latencyNote", "p50 and p99 are the mean of the slices' own percentiles");
		throughput.put("errorsWatcherOff", offSlices.stream().mapToInt(FaultFreeSlice::errors).sum());
		throughput.put("errorsWatcherOn", onSlices.stream().mapToInt(FaultFreeSlice::errors).sum());
		throughput.put("slices", slices.stream().map(FaultFreeSlice::asMap).toList());
		result.put("trivialEndpoint", throughput);
		Map<String, Object> close = new LinkedHashMap<>();
		close.put("endpoint", "GET /slow?duration=" + LoadOptions.format(this.watcher.hold()) + " (closed), "
				+ LoadOptions.format(this.watcher.keep()) + " (kept); a forked task that sleeps, no database");
		close.put(WATCHER_ON, closeOn.asMap());
		close.put(WATCHER_OFF + "-control", closeOff.asMap());
		result.put("closeToCancel", close);
		return result;
	}

	private static List<String> with(List<String> common, String argument) {
		List<String> arguments = new ArrayList<>(common);
		arguments.add(argument);
		return arguments;
	}

	private void warmUp(SampleInstance instance) throws Exception {
		Duration warmup = this.watcher.warmup();
		if (warmup.isZero()) {
			return;
		}
		LoadDriver.log("%s: warm-up %s on %s", instance.name(), LoadOptions.format(warmup), this.watcher.path());
		try (ClientLoad load = ClientLoad.only(instance.uri(""), this.watcher.path(), this.options.clientTimeout(),
				this.options.think(), System.nanoTime())) {
			load.start(this.options.clients(), warmup, this.options.maxRequestsPerClient());
			load.await(warmup.plus(this.options.clientTimeout()).plusSeconds(10));
		}
	}

	private List<FaultFreeSlice> slices(SampleInstance off, SampleInstance on) throws Exception {
		int count = this.watcher.slices();
		Duration slice = this.watcher.time().dividedBy(count);
		LoadDriver.log("trivial endpoint: %d clients, only %s, %d slices of %s per instance, taken in turn",
				this.options.clients(), this.watcher.path(), count, LoadOptions.format(slice));
		List<FaultFreeSlice> results = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			List<SampleInstance> order = (i % 2 == 0) ? List.of(off, on) : List.of(on, off);
			for (SampleInstance instance : order) {
				boolean watching = instance.name().equals(WATCHER_ON);
				long origin = System.nanoTime();
				try (ClientLoad load = ClientLoad.only(instance.uri(""), this.watcher.path(),
						this.options.clientTimeout(), this.options.think(), origin)) {
					load.start(this.options.clients(), slice, this.options.maxRequestsPerClient());
					List<Exchange> exchanges = load.await(slice.plus(this.options.clientTimeout()).plusSeconds(10));
					// the record's "cancelscope" flag means "watcher on" here: both instances run cancelscope
					FaultFreeSlice result = new FaultFreeSlice(instance.name(), watching, i, slice, exchanges);
					results.add(result);
					LoadDriver.log("%s: slice %d, %.1f responses/s, p50 %.1f ms, p99 %.1f ms", instance.name(), i,
							result.throughput(), result.latency().p50(), result.latency().p99());
				}
			}
		}
		return results;
	}

	/**
	 * Opens {@code connections} keep-alive connections, each answered one request to the trivial
	 * endpoint first, then sends each a request to {@code /slow}; once the sample has started all of
	 * them, closes {@code close} of them at once and waits for their work to end, and for the others'
	 * responses.
	 */
	private CloseToCancelRun closeToCancel(SampleInstance instance, boolean watching, int connections, int close,
			Duration keep) throws Exception {
		int round = this.rounds.incrementAndGet();
		boolean recorded = connections == this.watcher.connections();
		String prefix = "r" + round + "-";
		Duration hold = this.watcher.hold();
		Duration observe = this.watcher.observe();
		Duration ioTimeout = keep.plus(observe).plusSeconds(10);
		if (recorded) {
			LoadDriver.log("%s: close-to-cancel, %d keep-alive connections with a request in flight on /slow, "
					+ "%d closed at once", instance.name(), connections, close);
		}
		int fdsBefore = fds(instance.pid());
		int closeWaitBefore = closeWait(instance.port());
		List<RawConnection> open = new ArrayList<>();
		List<String> names = new ArrayList<>();
		List<Boolean> closing = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				RawConnection connection = RawConnection.open(instance.port(), ioTimeout);
				open.add(connection);
				connection.get(this.watcher.path());
				int status = connection.readResponse(ioTimeout);
				if (status != 200) {
					throw new IllegalStateException(instance.name() + ": " + this.watcher.path() + " answered "
							+ status + " on connection " + i);
				}
				// spread the closed ones evenly: every other one for 100 of 200
				boolean closes = (long) (i + 1) * close / connections > (long) i * close / connections;
				closing.add(closes);
				names.add(prefix + (closes ? "close-" : "keep-") + i);
			}
			for (int i = 0; i < connections; i++) {
				Duration duration = closing.get(i) ? hold : keep;
				open.get(i).get("/slow?duration=" + duration.toMillis() + "ms&name=" + names.get(i));
			}
			// every request started, then past the watcher's grace (10 ms by default)
			Set<String> wanted = new HashSet<>(names);
			long startLimit = System.nanoTime() + Duration.ofSeconds(15).toNanos();
			LogScan scan = LogScan.read(instance.log());
			while (!scan.started.keySet().containsAll(wanted) && System.nanoTime() < startLimit) {
				Thread.sleep(20);
				scan = LogScan.read(instance.log());
			}
			Thread.sleep(100);
			scan = LogScan.read(instance.log());
			int startedBeforeClose = (int) names.stream().filter(scan.started::containsKey).count();
			int keptInFlight = 0;
			for (int i = 0; i < connections; i++) {
				if (!closing.get(i) && !scan.ended.containsKey(names.get(i))) {
					keptInFlight++;
				}
			}
			Map<String, Instant> closedAt = new HashMap<>();
			long firstClose = System.nanoTime();
			for (int i = 0; i < connections; i++) {
				if (closing.get(i)) {
					closedAt.put(names.get(i), Instant.now());
					open.get(i).close();
				}
			}
			double closeSpread = (System.nanoTime() - firstClose) / 1e6;
			// the others' responses, read in parallel
			AtomicInteger answered = new AtomicInteger();
			AtomicInteger failed = new AtomicInteger();
			List<Thread> readers = new ArrayList<>();
			for (int i = 0; i < connections; i++) {
				if (!closing.get(i)) {
					RawConnection connection = open.get(i);
					readers.add(Thread.ofVirtual().start(() -> {
						try {
							if (connection.readResponse(ioTimeout) == 200) {
								answered.incrementAndGet();
							}
							else {
								failed.incrementAndGet();
							}
						}
						catch (IOException | RuntimeException ex) {
							failed.incrementAndGet();
						}
					}));
				}
			}
			// the closed ones' work: wait until all ended, at most the observation window
			long observeEnd = System.nanoTime() + observe.toNanos();
			while (System.nanoTime() < observeEnd) {
				scan = LogScan.read(instance.log());
				if (scan.ended.keySet().containsAll(closedAt.keySet())) {
					break;
				}
				Thread.sleep(20);
			}
			long observed = Math.round((System.nanoTime() - firstClose) / 1e6);
			long readLimit = System.nanoTime() + ioTimeout.toNanos();
			for (Thread reader : readers) {
				long left = readLimit - System.nanoTime();
				if (left <= 0 || !reader.join(Duration.ofNanos(Math.max(1, left)))) {
					reader.interrupt();
				}
			}
			scan = LogScan.read(instance.log());
			List<Double> latencies = new ArrayList<>();
			int completed = 0;
			int running = 0;
			int cleanups = 0;
			for (Map.Entry<String, Instant> entry : closedAt.entrySet()) {
				@Nullable Ended ended = scan.ended.get(entry.getKey());
				if (ended == null || ended.at().isAfter(entry.getValue().plusNanos(observe.toNanos()))) {
					running++;
				}
				else if (ended.outcome().equals("cancelled")) {
					latencies.add(Duration.between(entry.getValue(), ended.at()).toNanos() / 1e6);
				}
				else {
					completed++;
				}
				if (scan.cleanups.contains(entry.getKey())) {
					cleanups++;
				}
			}
			int keptCancelled = 0;
			for (int i = 0; i < connections; i++) {
				@Nullable Ended ended = scan.ended.get(names.get(i));
				if (!closing.get(i) && ended != null && ended.outcome().equals("cancelled")) {
					keptCancelled++;
				}
			}
			for (RawConnection connection : open) {
				connection.close();
			}
			open.clear();
			Thread.sleep(1000);
			int fdsAfter = fds(instance.pid());
			int closeWaitAfter = closeWait(instance.port());
			CloseToCancelRun run = new CloseToCancelRun(instance.name(), watching, connections, close,
					startedBeforeClose, keptInFlight, closeSpread,
					latencies.stream().mapToDouble(Double::doubleValue).toArray(), completed, running, cleanups,
					answered.get(), failed.get(), keptCancelled, observed, fdsBefore, fdsAfter, closeWaitBefore,
					closeWaitAfter);
			LatencySummary latency = run.latency();
			LoadDriver.log("%s: %s%d of %d closed cancelled (close -> cancelled p50 %.0f ms, p99 %.0f ms, max %.0f ms),"
					+ " %d completed anyway, %d still running after %d ms; %d of %d others answered 200 "
					+ "(%d in flight at the close); CLOSE_WAIT %d -> %d, fds %d -> %d", instance.name(),
					recorded ? "" : "(warm-up, not recorded) ", run.cancelled(), close, latency.p50(), latency.p99(),
					latency.max(), completed, running, observed, answered.get(), connections - close, keptInFlight,
					closeWaitBefore, closeWaitAfter, fdsBefore, fdsAfter);
			return run;
		}
		finally {
			for (RawConnection connection : open) {
				connection.close();
			}
		}
	}

	/**
	 * The watcher's start-up warnings, should it have switched itself off.
	 */
	private static List<String> watcherWarnings(SampleInstance instance) throws IOException {
		try (Stream<String> lines = Files.lines(instance.log(), StandardCharsets.ISO_8859_1)) {
			return lines.filter((line) -> line.contains(" WARN ") && line.toLowerCase(Locale.ROOT).contains("disconnect")).toList();
		}
	}

	private static double mean(List<FaultFreeSlice> slices, boolean p50) {
		return slices.stream()
			.mapToDouble((slice) -> p50 ? slice.latency().p50() : slice.latency().p99())
			.average()
			.orElse(0);
	}

	private static double ratio(double on, double off) {
		return (off == 0) ? Double.NaN : Math.round(on / off * 1000) / 1000.0;
	}

	private static int fds(long pid) {
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			return (int) fds.count();
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * Sockets whose local port is {@code port} in state CLOSE_WAIT (the peer closed, this side has not).
	 */
	private static int closeWait(int port) {
		int count = 0;
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			try {
				List<String> lines = Files.readAllLines(Path.of(table));
				for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
					String[] fields = line.trim().split("\\s+");
					if (fields.length > 3 && fields[3].equals("08")) {
						String local = fields[1];
						int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
						if (localPort == port) {
							count++;
						}
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				return -1;
			}
		}
		return count;
	}

	private record Ended(Instant at, String outcome) {
	}

	/**
	 * What the sample's log says about named work: when each started and ended, and whose cleanup ran.
	 */
	private record LogScan(Map<String, Instant> started, Map<String, Ended> ended, Set<String> cleanups) {

		static LogScan read(Path log) throws IOException {
			Map<String, Instant> started = new HashMap<>();
			Map<String, Ended> ended = new HashMap<>();
			Set<String> cleanups = new HashSet<>();
			for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
				Matcher matcher = ENDED.matcher(line);
				if (matcher.matches()) {
					Instant at = timestamp(matcher.group(1));
					if (at != null) {
						ended.put(matcher.group(2), new Ended(at, matcher.group(3)));
					}
					continue;
				}
				matcher = STARTED.matcher(line);
				if (matcher.matches()) {
					Instant at = timestamp(matcher.group(1));
					if (at != null) {
						started.put(matcher.group(2), at);
					}
					continue;
				}
				matcher = CLEANUP.matcher(line);
				if (matcher.matches()) {
					cleanups.add(matcher.group(1));
				}
			}
			return new LogScan(started, ended, cleanups);
		}

		private static @Nullable Instant timestamp(String text) {
			try {
				return OffsetDateTime.parse(text).toInstant();
			}
			catch (DateTimeParseException ex) {
				return null;
			}
		}

	}

}
