package io.github.cancelscope.benchmarks.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.cancelscope.benchmarks.chaos.MixedLoad.Exchange;
import io.github.cancelscope.benchmarks.load.Json;

/**
 * The chaos suite: one command that starts the sample on a PostgreSQL it controls and runs each
 * fault under load, then checks that nothing was left behind ({@link Checks}). {@code --help} lists
 * the options; {@code --short} is the CI run.
 */
public final class ChaosSuite {

	private static final List<Map.Entry<String, Integer>> DATABASE_MIX = List.of(Map.entry("/healthy", 6),
			Map.entry("/zombie?query=3s&failAfter=200ms", 2), Map.entry("/report?query=5s", 2));

	private static final List<Map.Entry<String, Integer>> DOWNSTREAM_MIX = List.of(Map.entry("/healthy", 1),
			Map.entry("/dashboard", 2));

	private static final List<Map.Entry<String, Integer>> SOAK_MIX = List.of(Map.entry("/healthy", 6),
			Map.entry("/zombie?query=3s&failAfter=200ms", 1), Map.entry("/report?query=5s", 1),
			Map.entry("/dashboard", 1), Map.entry("/slow?duration=100ms", 1));

	private static final Duration SETTLE_LIMIT = Duration.ofSeconds(30);

	private final ChaosOptions options;

	private final Path work;

	private final List<Map<String, Object>> results = new ArrayList<>();

	private final List<String> failures = new ArrayList<>();

	private ChaosSuite(ChaosOptions options, Path work) {
		this.options = options;
		this.work = work;
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
		if (Arrays.asList(args).contains("--help")) {
			System.out.print(ChaosOptions.usage());
			return;
		}
		ChaosOptions options;
		try {
			options = ChaosOptions.parse(args, projectFolder());
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.err.print(ChaosOptions.usage());
			System.exit(2);
			return;
		}
		Path work = Files.createTempDirectory("cancelscope-chaos-");
		ChaosSuite suite = new ChaosSuite(options, work);
		int status;
		try {
			status = suite.run(args);
		}
		catch (Exception ex) {
			System.err.println("chaos: the suite itself failed: " + ex);
			ex.printStackTrace();
			status = 1;
		}
		System.exit(status);
	}

	private int run(String[] args) throws Exception {
		String started = OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString();
		long begin = System.nanoTime();
		String loadAtStart = loadAverage();
		log("%s run; work folder %s; load average %s", this.options.shortRun() ? "short" : "full", this.work,
				loadAtStart);
		Checks.Baseline baseline;
		try (ControlledPostgres postgres = ControlledPostgres.start(this.work)) {
			log("PostgreSQL: postmaster %d, %s", postgres.postmaster(), postgres.jdbcUrl());
			int port = freePort();
			try (Downstream downstream = Downstream.start(port)) {
				ChaosApp app = ChaosApp.start(this.options, postgres, port, this.work, "sample", this.options.appArguments());
				try {
					log("sample: pid %d, port %d (its upstream: the suite's downstream on 127.0.0.2:%d)", app.pid(), port,
							port);
					warmUp(app);
					baseline = Checks.baseline(app);
					log("baseline: %s", baseline.asMap());
					Checks.Settled idle = Checks.await(app, postgres, baseline, SETTLE_LIMIT);
					if (!idle.passed()) {
						throw new IllegalStateException("The idle sample fails the checks before any fault: "
								+ idle.last().failures());
					}
					if (this.options.runs("postgres-restart")) {
						databaseRestart(app, postgres, baseline);
					}
					if (this.options.runs("postgres-stall")) {
						databaseStall(app, postgres, baseline);
					}
					if (this.options.runs("downstream-stall")) {
						downstream(app, postgres, baseline, downstream, Downstream.Mode.STALL);
					}
					if (this.options.runs("downstream-reset")) {
						downstream(app, postgres, baseline, downstream, Downstream.Mode.RESET);
					}
					if (this.options.runs("storms")) {
						for (int size : this.options.storms()) {
							storm(app, postgres, baseline, size);
						}
					}
					if (this.options.runs("soak")) {
						soak(app, postgres, baseline);
					}
					if (this.options.runs("sigterm-in-storm")) {
						sigtermInStorm(app, postgres);
					}
				}
				finally {
					app.close();
				}
			}
		}
		Map<String, Object> report = new LinkedHashMap<>();
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("date", started);
		machine.put("cores", Runtime.getRuntime().availableProcessors());
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
		machine.put("java", System.getProperty("java.runtime.version"));
		machine.put("loadAverageAtStart", loadAtStart);
		machine.put("loadAverageAtEnd", loadAverage());
		machine.put("runSeconds", Math.round((System.nanoTime() - begin) / 1e9));
		report.put("machine", machine);
		report.put("command", "ChaosSuite " + String.join(" ", args));
		report.put("options", this.options.asMap());
		report.put("checks", checksDescription());
		report.put("baseline", baseline.asMap());
		report.put("faults", this.results);
		report.put("failures", this.failures);
		String table = ChaosTable.markdown(this.options, this.results, machine);
		Files.createDirectories(this.options.results());
		String suffix = (this.options.shortRun() ? "-short" : "")
				+ (this.options.faults().equals(ChaosOptions.FAULTS) && this.options.appArguments().isEmpty() ? "" : "-partial");
		Path json = this.options.results().resolve("chaos-results" + suffix + ".json");
		Path md = this.options.results().resolve("chaos-results" + suffix + ".md");
		Files.writeString(json, Json.write(report), StandardCharsets.UTF_8);
		Files.writeString(md, table, StandardCharsets.UTF_8);
		System.out.println();
		System.out.print(table);
		log("wrote %s and %s (sample log in %s)", json, md, this.work);
		if (!this.failures.isEmpty()) {
			System.err.println();
			System.err.println("chaos: " + this.failures.size() + " check(s) FAILED:");
			this.failures.forEach((failure) -> System.err.println("  - " + failure));
			return 1;
		}
		log("every check passed");
		return 0;
	}

	private static Map<String, Object> checksDescription() {
		Map<String, Object> checks = new LinkedHashMap<>();
		checks.put("pool", "Hikari active connections = 0 (actuator metric hikaricp.connections.active)");
		checks.put("database", "no client backend but the monitor's own is active or idle in transaction (pg_stat_activity)");
		checks.put("scopes", "no scope in flight (actuator cancelscope endpoint)");
		checks.put("forks", "no cancelscope fork thread in the JSON thread dump (virtual threads included)");
		checks.put("threads", "threads other than Tomcat's http-nio-* and the JDK HttpClient's workers <= baseline + "
				+ Checks.THREAD_TOLERANCE + " (/proc/<pid>/task)");
		checks.put("fds", "open file descriptors <= baseline + " + Checks.FD_TOLERANCE + " (/proc/<pid>/fd)");
		checks.put("healthy", "/healthy median of 5 <= max(" + Checks.HEALTHY_FACTOR + " x baseline median, "
				+ Checks.HEALTHY_FLOOR_MS + " ms)");
		checks.put("settleLimit", ChaosOptions.format(SETTLE_LIMIT));
		return checks;
	}

	private void warmUp(ChaosApp app) throws Exception {
		log("warm-up: 8 s of the soak mix");
		try (MixedLoad load = new MixedLoad(app, SOAK_MIX, this.options.deadline(), Duration.ofSeconds(20),
				System.nanoTime())) {
			load.start(this.options.clients());
			Thread.sleep(8000);
			load.stop();
		}
	}

	// ------------------------------------------------------------------------------- faults

	private interface Fault {

		/** Runs the fault; returns when it is over (the database answers, the downstream behaves). */
		void run() throws Exception;

	}

	private void databaseRestart(ChaosApp app, ControlledPostgres postgres, Checks.Baseline baseline) throws Exception {
		underLoad("postgres-restart", "PostgreSQL restarted (pg_ctl restart -m fast) at mid-load", DATABASE_MIX, app,
				postgres, baseline, Duration.ofSeconds(4), Duration.ofSeconds(4), () -> {
					long start = System.nanoTime();
					postgres.restartFast();
					log("  restarted in %.0f ms, postmaster now %d", (System.nanoTime() - start) / 1e6,
							postgres.postmaster());
				});
	}

	private void databaseStall(ChaosApp app, ControlledPostgres postgres, Checks.Baseline baseline) throws Exception {
		underLoad("postgres-stall", "every PostgreSQL process stopped (SIGSTOP) for 5 s, then resumed (SIGCONT)",
				DATABASE_MIX, app, postgres, baseline, Duration.ofSeconds(3), Duration.ofSeconds(4), () -> {
					int stopped = postgres.stopAll();
					log("  %d PostgreSQL processes stopped", stopped);
					try {
						Thread.sleep(5000);
					}
					finally {
						postgres.resumeAll();
						log("  resumed");
					}
				});
	}

	private void downstream(ChaosApp app, ControlledPostgres postgres, Checks.Baseline baseline, Downstream downstream,
			Downstream.Mode mode) throws Exception {
		String name = (mode == Downstream.Mode.STALL) ? "downstream-stall" : "downstream-reset";
		String what = (mode == Downstream.Mode.STALL)
				? "the dashboard's upstream accepts and never reads nor answers, for 5 s"
				: "the dashboard's upstream accepts and resets every connection (RST), for 5 s";
		int acceptedBefore = downstream.accepted();
		underLoad(name, what, DOWNSTREAM_MIX, app, postgres, baseline, Duration.ofSeconds(2), Duration.ofSeconds(3), () -> {
			downstream.mode(mode);
			try {
				Thread.sleep(5000);
			}
			finally {
				downstream.mode(Downstream.Mode.ANSWER);
			}
		});
		// underLoad recorded the fault's result last: what only shows afterwards goes there too
		Map<String, Object> result = this.results.getLast();
		result.put("downstreamConnectionsAccepted", downstream.accepted() - acceptedBefore);
		if (mode == Downstream.Mode.STALL) {
			// every stalled exchange must have been given up by the sample: its side closed
			long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (downstream.stalledEstablished() > 0 && System.nanoTime() < end) {
				Thread.sleep(100);
			}
			int stalled = downstream.stalled();
			int open = downstream.stalledEstablished();
			result.put("stalledConnections", stalled);
			result.put("stalledConnectionsClosedBySample", downstream.stalledClosedByPeer());
			result.put("stalledConnectionsStillOpen", open);
			log("  the downstream held %d stalled connections: %d closed by the sample, %d still open", stalled,
					downstream.stalledClosedByPeer(), open);
			downstream.releaseStalled();
			if (stalled == 0) {
				fail(name, "the downstream saw no stalled connection: the fault did not reach the sample");
			}
			if (open > 0) {
				fail(name, open + " of " + stalled + " stalled downstream connections still open on the sample's side 10 s"
						+ " after the fault");
			}
		}
		else {
			result.put("resets", downstream.resets());
			log("  the downstream reset %d connections", downstream.resets());
			if (downstream.resets() == 0) {
				fail(name, "the downstream reset no connection: the fault did not reach the sample");
			}
		}
	}

	/**
	 * Runs {@code fault} while {@code clients} closed-loop clients send {@code mix}: load for
	 * {@code before}, the fault, load for {@code after}; then the checks.
	 */
	private void underLoad(String name, String what, List<Map.Entry<String, Integer>> mix, ChaosApp app,
			ControlledPostgres postgres, Checks.Baseline baseline, Duration before, Duration after, Fault fault) throws Exception {
		log("%s: %s; %d clients, %s", name, what, this.options.clients(), mixText(mix));
		long origin = System.nanoTime();
		int threadsBefore = app.threads();
		long abortsBefore = logLines(app, "Aborted JDBC connection");
		List<Exchange> exchanges;
		double faultStart;
		double faultEnd;
		int peak;
		try (Storm.PeakThreads peakThreads = new Storm.PeakThreads(app);
				MixedLoad load = new MixedLoad(app, mix, this.options.deadline(), Duration.ofSeconds(30), origin)) {
			load.start(this.options.clients());
			Thread.sleep(before);
			faultStart = (System.nanoTime() - origin) / 1e6;
			fault.run();
			faultEnd = (System.nanoTime() - origin) / 1e6;
			Thread.sleep(after);
			exchanges = load.stop();
			peak = peakThreads.peak();
		}
		Duration limit = this.options.deadline().plus(this.options.bound());
		List<Exchange> late = late(exchanges, limit);
		// time to recover: from the fault's end to the first /healthy sent after it and answered 200
		double recovered = exchanges.stream()
			.filter((exchange) -> exchange.sent() >= faultEnd && exchange.healthyOk())
			.mapToDouble((exchange) -> exchange.sent() + exchange.latency() - faultEnd)
			.min()
			.orElse(-1);
		double maxLatency = exchanges.stream().mapToDouble(Exchange::latency).max().orElse(0);
		double maxInFault = exchanges.stream()
			.filter((exchange) -> exchange.sent() + exchange.latency() >= faultStart && exchange.sent() <= faultEnd)
			.mapToDouble(Exchange::latency)
			.max()
			.orElse(0);
		Checks.Settled settled = Checks.await(app, postgres, baseline, SETTLE_LIMIT);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("fault", name);
		result.put("what", what);
		result.put("load", this.options.clients() + " clients: " + mixText(mix) + "; deadline "
				+ ChaosOptions.format(this.options.deadline()));
		result.put("faultMs", Checks.round(faultEnd - faultStart));
		result.put("requests", exchanges.size());
		result.put("outcomes", MixedLoad.outcomes(exchanges));
		result.put("bound", "deadline " + ChaosOptions.format(this.options.deadline()) + " + "
				+ ChaosOptions.format(this.options.bound()));
		result.put("answeredPastDeadlinePlusBound", late.size());
		Map<Long, Double> serverTimes = app.serverTimes(
				late.stream().map(Exchange::id).collect(java.util.stream.Collectors.toSet()));
		long heldByServer = late.stream()
			.filter((exchange) -> serverTimes.getOrDefault(exchange.id(), 0.0) > limit.toMillis())
			.count();
		result.put("pastBoundExamples", late.stream().limit(5).map((exchange) -> describe(exchange, serverTimes)).toList());
		result.put("pastBoundAlsoByServerTime", heldByServer);
		result.put("maxLatencyMs", Checks.round(maxLatency));
		result.put("maxLatencyAroundFaultMs", Checks.round(maxInFault));
		result.put("recoveredMs", Checks.round(recovered));
		result.put("jdbcConnectionsAborted", logLines(app, "Aborted JDBC connection") - abortsBefore);
		result.put("loadAverage", loadAverage());
		result.put("threadsBefore", threadsBefore);
		result.put("peakThreads", peak);
		finish(name, result, settled);
		if (!late.isEmpty()) {
			fail(name, late.size() + " of " + exchanges.size() + " requests answered past deadline + bound ("
					+ limit.toMillis() + " ms), e.g. " + result.get("pastBoundExamples"));
		}
		if (recovered < 0) {
			fail(name, "no /healthy request sent after the fault was answered 200");
		}
		log("  %d requests %s; %d past %d ms (max %.0f ms); recovered %.0f ms after the fault; peak threads %d (before %d)",
				exchanges.size(), result.get("outcomes"), late.size(), limit.toMillis(), maxLatency, recovered, peak,
				threadsBefore);
	}

	private void storm(ChaosApp app, ControlledPostgres postgres, Checks.Baseline baseline, int size) throws Exception {
		String name = "storm-" + size;
		log("%s: %d keep-alive connections, each with GET /slow in flight, closed at once (half FIN, half RST)", name,
				size);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("fault", name);
		result.put("what", size + " keep-alive clients with a request in flight close at once, half with RST");
		result.put("load", size + " x GET /slow?duration=" + ChaosOptions.format(ChaosApp.STORM_HOLD)
				+ " (a forked task that sleeps)");
		long openStart = System.nanoTime();
		try (Storm storm = Storm.open(app, "st" + size + "-", size, ChaosApp.STORM_HOLD, Duration.ofSeconds(90))) {
			result.put("openedAndStartedMs", Checks.round((System.nanoTime() - openStart) / 1e6));
			Thread.sleep(300);
			int threadsBefore = app.threads();
			Instant closed;
			Storm.Scan scan;
			int peak;
			try (Storm.PeakThreads peakThreads = new Storm.PeakThreads(app)) {
				closed = storm.closeAll();
				long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
				scan = storm.scan();
				while (scan.endedCount() < size && System.nanoTime() < end) {
					Thread.sleep(50);
					scan = storm.scan();
				}
				Thread.sleep(200);
				peak = peakThreads.peak();
			}
			int cancelled = scan.ended().getOrDefault("cancelled", 0);
			double recovered = (scan.endedCount() > 0) ? Duration.between(closed, scan.lastEnd()).toNanos() / 1e6 : -1;
			result.put("requestsEnded", scan.ended());
			result.put("cancelled", cancelled);
			result.put("answeredPastDeadlinePlusBound", 0);
			result.put("bound", "n/a: every client closed");
			result.put("recoveredMs", Checks.round(recovered));
			result.put("recoveredMeaning", "first close -> the last closed request's work logged as cancelled");
			result.put("threadsBefore", threadsBefore);
			result.put("peakThreads", peak);
			result.put("threadsStartedByTheStorm", peak - threadsBefore);
			Checks.Settled settled = Checks.await(app, postgres, baseline, SETTLE_LIMIT);
			finish(name, result, settled);
			if (cancelled != size) {
				fail(name, "only " + cancelled + " of " + size + " closed requests were cancelled within 20 s: " + scan.ended());
			}
			log("  %d of %d cancelled, the last %.0f ms after the first close; threads %d before, peak %d (+%d)",
					cancelled, size, recovered, threadsBefore, peak, peak - threadsBefore);
		}
	}

	private void soak(ChaosApp app, ControlledPostgres postgres, Checks.Baseline baseline) throws Exception {
		String name = "soak";
		Duration duration = this.options.soak();
		log("%s: %s of %s, %d clients", name, ChaosOptions.format(duration), mixText(SOAK_MIX), this.options.clients());
		long origin = System.nanoTime();
		int threadsBefore = app.threads();
		List<Exchange> exchanges;
		List<Integer> threads = new ArrayList<>();
		List<Integer> fds = new ArrayList<>();
		int peak;
		try (Storm.PeakThreads peakThreads = new Storm.PeakThreads(app);
				MixedLoad load = new MixedLoad(app, SOAK_MIX, this.options.deadline(), Duration.ofSeconds(30), origin)) {
			load.start(this.options.clients());
			long end = origin + duration.toNanos();
			while (System.nanoTime() < end) {
				Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
				threads.add(app.threads());
				fds.add(app.fds());
			}
			exchanges = load.stop();
			peak = peakThreads.peak();
		}
		Duration limit = this.options.deadline().plus(this.options.bound());
		List<Exchange> late = late(exchanges, limit);
		Checks.Settled settled = Checks.await(app, postgres, baseline, SETTLE_LIMIT);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("fault", name);
		result.put("what", ChaosOptions.format(duration) + " of mixed load");
		result.put("load", this.options.clients() + " clients: " + mixText(SOAK_MIX) + "; deadline "
				+ ChaosOptions.format(this.options.deadline()));
		result.put("requests", exchanges.size());
		result.put("outcomes", MixedLoad.outcomes(exchanges));
		result.put("bound", "deadline " + ChaosOptions.format(this.options.deadline()) + " + "
				+ ChaosOptions.format(this.options.bound()));
		result.put("answeredPastDeadlinePlusBound", late.size());
		Map<Long, Double> serverTimes = app.serverTimes(
				late.stream().map(Exchange::id).collect(java.util.stream.Collectors.toSet()));
		result.put("pastBoundExamples", late.stream().limit(5).map((exchange) -> describe(exchange, serverTimes)).toList());
		result.put("pastBoundAlsoByServerTime", late.stream()
			.filter((exchange) -> serverTimes.getOrDefault(exchange.id(), 0.0) > limit.toMillis())
			.count());
		result.put("threadsEvery10s", threads);
		result.put("fdsEvery10s", fds);
		result.put("threadsBefore", threadsBefore);
		result.put("peakThreads", peak);
		finish(name, result, settled);
		if (!late.isEmpty()) {
			fail(name, late.size() + " of " + exchanges.size() + " requests answered past deadline + bound, e.g. "
					+ result.get("pastBoundExamples"));
		}
		log("  %d requests %s; %d past %d ms; peak threads %d", exchanges.size(), result.get("outcomes"), late.size(),
				limit.toMillis(), peak);
	}

	/**
	 * SIGTERM while a disconnect storm is half done and long queries run: the process must exit
	 * within the shutdown grace plus a margin and leave no backend on PostgreSQL.
	 */
	private void sigtermInStorm(ChaosApp app, ControlledPostgres postgres) throws Exception {
		String name = "sigterm-in-storm";
		int size = this.options.sigtermStorm();
		// the grace, then the cancelled work ends and Spring stops the rest; far below the sample's
		// spring.lifecycle.timeout-per-shutdown-phase (20 s), after which Spring stops waiting
		Duration bound = this.options.shutdownGrace().plusSeconds(10);
		log("%s: %d storm connections with GET /slow in flight and 10 clients on /report?query=20s; half the storm"
				+ " closes, then SIGTERM at once (shutdown grace %s)", name, size,
				ChaosOptions.format(this.options.shutdownGrace()));
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("fault", name);
		result.put("what", "SIGTERM to the sample while " + size / 2 + " of " + size
				+ " storm connections close (half RST) and 10 long queries run");
		result.put("load", size + " x GET /slow?duration=" + ChaosOptions.format(ChaosApp.STORM_HOLD)
				+ "; 10 clients on /report?query=20s (deadline 25 s)");
		int threadsBefore = app.threads();
		try (Storm storm = Storm.open(app, "sg" + size + "-", size, ChaosApp.STORM_HOLD, Duration.ofSeconds(90));
				Storm.PeakThreads peakThreads = new Storm.PeakThreads(app);
				MixedLoad queries = new MixedLoad(app, List.of(Map.entry("/report?query=20s", 1)), Duration.ofSeconds(25),
						Duration.ofSeconds(40), System.nanoTime())) {
			queries.start(10);
			long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (postgres.busyBackends() < 10 && System.nanoTime() < end) {
				Thread.sleep(50);
			}
			int busyAtSignal = postgres.busyBackends();
			queries.stopSending();
			storm.close(0, size / 2);
			long signal = System.nanoTime();
			Instant signalAt = Instant.now();
			app.terminate();
			boolean exited = app.awaitExit(Duration.ofSeconds(60));
			double exitMs = (System.nanoTime() - signal) / 1e6;
			int peak = peakThreads.peak();
			int backendsAtExit = postgres.clientBackends();
			double backendsGone = -1;
			long limit = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (System.nanoTime() < limit) {
				if (postgres.clientBackends() == 0) {
					backendsGone = (System.nanoTime() - signal) / 1e6;
					break;
				}
				Thread.sleep(20);
			}
			List<Exchange> exchanges = queries.stop();
			result.put("shutdownTimeline", ShutdownTimeline.read(app.log(), signalAt));
			result.put("queriesRunningAtSignal", busyAtSignal);
			result.put("exitedMs", Checks.round(exitMs));
			result.put("exitCode", exited ? app.exitValue() : -1);
			result.put("shutdownBound", "shutdown grace " + ChaosOptions.format(this.options.shutdownGrace())
					+ " + 10s = " + ChaosOptions.format(bound));
			result.put("backendsRightAfterExit", backendsAtExit);
			result.put("backendsGoneMs", Checks.round(backendsGone));
			result.put("reportOutcomes", MixedLoad.outcomes(exchanges));
			result.put("storm", storm.scan().ended());
			result.put("recoveredMs", Checks.round(exitMs));
			result.put("recoveredMeaning", "SIGTERM -> process exited");
			result.put("answeredPastDeadlinePlusBound", 0);
			result.put("bound", "exit within " + ChaosOptions.format(bound));
			result.put("threadsBefore", threadsBefore);
			result.put("peakThreads", peak);
			List<String> problems = new ArrayList<>();
			if (busyAtSignal == 0) {
				problems.add("no query was running on PostgreSQL at the signal: the check would prove nothing");
			}
			if (!exited || exitMs > bound.toMillis()) {
				problems.add("the sample " + (exited ? "exited after " + Math.round(exitMs) + " ms" : "did not exit in 60 s")
						+ ", past its shutdown bound of " + bound.toMillis() + " ms");
			}
			if (backendsGone < 0) {
				problems.add(postgres.clientBackends() + " PostgreSQL backend(s) of the sample still there 10 s after SIGTERM");
			}
			result.put("passed", problems.isEmpty());
			result.put("failures", problems);
			this.results.add(result);
			problems.forEach((problem) -> fail(name, problem));
			log("  exited after %.0f ms (code %s); %d queries at the signal, backends at exit %d, none left after %.0f ms;"
					+ " /report %s", exitMs, result.get("exitCode"), busyAtSignal, backendsAtExit, backendsGone,
					result.get("reportOutcomes"));
		}
	}

	private void finish(String name, Map<String, Object> result, Checks.Settled settled) {
		result.put("settledMs", Checks.round(settled.settledMs()));
		result.put("afterwards", settled.last().values());
		result.put("notYetAtTheFirstLook", settled.firstFailures());
		List<String> problems = new ArrayList<>(settled.last().failures());
		result.put("passed", settled.passed());
		result.put("failures", problems);
		this.results.add(result);
		if (!settled.passed()) {
			fail(name, "not settled within " + ChaosOptions.format(SETTLE_LIMIT) + ": " + problems);
		}
	}

	private void fail(String fault, String message) {
		this.failures.add(fault + ": " + message);
		log("  FAILED %s: %s", fault, message);
		for (Map<String, Object> result : this.results) {
			if (fault.equals(result.get("fault"))) {
				result.put("passed", false);
				@SuppressWarnings("unchecked")
				List<String> failures = (List<String>) result.get("failures");
				if (failures != null && !failures.contains(message)) {
					failures.add(message);
				}
			}
		}
	}

	/** Lines of the sample's log that contain {@code text}: the library's escalations, for example. */
	private static long logLines(ChaosApp app, String text) throws IOException {
		try (var lines = Files.lines(app.log(), StandardCharsets.ISO_8859_1)) {
			return lines.filter((line) -> line.contains(text)).count();
		}
	}

	private static String describe(Exchange exchange, Map<Long, Double> serverTimes) {
		Double server = serverTimes.get(exchange.id());
		return String.format(Locale.ROOT, "%s %s after %.0f ms (sent at %.0f ms; server time %s)", exchange.path(),
				(exchange.status() > 0) ? Integer.toString(exchange.status()) : exchange.error(), exchange.latency(),
				exchange.sent(), (server != null) ? Math.round(server) + " ms" : "not logged");
	}

	private static String mixText(List<Map.Entry<String, Integer>> mix) {
		int total = mix.stream().mapToInt(Map.Entry::getValue).sum();
		List<String> parts = new ArrayList<>();
		for (Map.Entry<String, Integer> entry : mix) {
			parts.add(Math.round(100.0 * entry.getValue() / total) + " % " + entry.getKey());
		}
		return String.join(", ", parts);
	}

	private static int freePort() throws IOException {
		// free on 127.0.0.1 (the sample) and on 127.0.0.2 (the downstream)
		for (int attempt = 0; attempt < 20; attempt++) {
			int port;
			try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
				port = socket.getLocalPort();
			}
			try (ServerSocket other = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.2"))) {
				return port;
			}
			catch (IOException ex) {
				// taken there: another
			}
		}
		throw new IOException("No port free on both 127.0.0.1 and 127.0.0.2");
	}

	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + " " + fields[1] + " " + fields[2];
		}
		catch (IOException ex) {
			return "?";
		}
	}

	private static Path projectFolder() {
		Path here = Path.of("").toAbsolutePath();
		for (Path folder = here; folder != null; folder = folder.getParent()) {
			if (Files.isDirectory(folder.resolve("sample")) && Files.isDirectory(folder.resolve("benchmarks"))) {
				return folder;
			}
		}
		return here;
	}

	static void log(String format, Object... args) {
		System.out.printf(Locale.ROOT, "[chaos %s] %s%n", LocalTime.now().withNano(0),
				String.format(Locale.ROOT, format, args));
	}

	/** The requests answered past {@code limit}, or never. */
	private static List<Exchange> late(List<Exchange> exchanges, Duration limit) {
		return exchanges.stream()
			.filter((exchange) -> exchange.status() < 0 || exchange.latency() > limit.toMillis())
			.toList();
	}

}
