package io.github.cancelscope.benchmarks.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What must hold after every fault, polled until it all holds or a limit passes: no pool connection
 * lent, no query of the application on the server, no scope in flight, no fork thread alive, thread
 * count (the pools of Tomcat and the JDK {@code HttpClient} aside) and file descriptors back to the
 * baseline within a tolerance, and {@code /healthy} as fast as it normally is.
 */
final class Checks {

	/** Threads beyond the baseline that still count as back to it (timers, JIT, GC helpers come and go). */
	static final int THREAD_TOLERANCE = 15;

	/** Descriptors beyond the baseline that still count as back to it (a connection being replaced, a jar). */
	static final int FD_TOLERANCE = 25;

	/** {@code /healthy}'s normal latency: at most this many times the baseline median, ... */
	static final double HEALTHY_FACTOR = 5;

	/** ... or this much, whichever is larger (a loaded 2-core machine). */
	static final double HEALTHY_FLOOR_MS = 100;

	/**
	 * The idle application, measured once after warm-up.
	 * @param threads threads outside the pools of {@link ChaosApp#pooled}
	 * @param fds open file descriptors
	 * @param healthyMs median latency of {@code /healthy}, one request after the other
	 * @param threadNames the threads by name, digits replaced by {@code N}
	 */
	record Baseline(int threads, int fds, double healthyMs, Map<String, Integer> threadNames) {

		double healthyLimitMs() {
			return Math.max(HEALTHY_FACTOR * this.healthyMs, HEALTHY_FLOOR_MS);
		}

		Map<String, Object> asMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("threadsWithoutTomcat", this.threads);
			map.put("fds", this.fds);
			map.put("healthyMedianMs", round(this.healthyMs));
			map.put("healthyLimitMs", round(healthyLimitMs()));
			return map;
		}

	}

	/**
	 * One look at the application.
	 * @param failures what does not hold, empty if all holds
	 * @param values what was read
	 */
	record Look(List<String> failures, Map<String, Object> values) {

		boolean passed() {
			return this.failures.isEmpty();
		}

	}

	/**
	 * When everything held, and the last look.
	 * @param settledMs time from the start of the wait until everything held, -1 if it never did
	 * @param last the last look
	 * @param firstFailures what did not hold at the first look (empty if everything held at once)
	 */
	record Settled(double settledMs, Look last, List<String> firstFailures) {

		boolean passed() {
			return this.settledMs >= 0;
		}

	}

	private Checks() {
	}

	static Baseline baseline(ChaosApp app) throws Exception {
		// the pool's connections and the JIT's threads settle first
		double healthy = healthyMedian(app, 30);
		Thread.sleep(1000);
		int[] threads = app.threadKinds();
		return new Baseline(threads[0] - threads[1], app.fds(), healthy, app.threadNames());
	}

	static double healthyMedian(ChaosApp app, int requests) throws Exception {
		double[] latencies = new double[requests];
		for (int i = 0; i < requests; i++) {
			long start = System.nanoTime();
			int status = app.get("/healthy", Duration.ofSeconds(10)).statusCode();
			latencies[i] = (System.nanoTime() - start) / 1e6;
			if (status != 200) {
				latencies[i] = Double.MAX_VALUE;
			}
		}
		Arrays.sort(latencies);
		return latencies[requests / 2];
	}

	static Look look(ChaosApp app, ControlledPostgres postgres, Baseline baseline) {
		List<String> failures = new ArrayList<>();
		Map<String, Object> values = new LinkedHashMap<>();
		try {
			int active = app.poolActive();
			values.put("poolActive", active);
			if (active != 0) {
				failures.add(active + " pool connection(s) lent");
			}
		}
		catch (Exception ex) {
			failures.add("pool: " + ex.getMessage());
		}
		try {
			int busy = postgres.busyBackends();
			values.put("busyBackends", busy);
			if (busy != 0) {
				failures.add(busy + " backend(s) not idle on PostgreSQL:" + postgres.busyQueries());
			}
		}
		catch (Exception ex) {
			failures.add("pg_stat_activity: " + ex.getMessage());
		}
		try {
			List<String> scopes = app.scopesInFlight();
			values.put("scopesInFlight", scopes.size());
			if (!scopes.isEmpty()) {
				failures.add(scopes.size() + " scope(s) in flight " + scopes.subList(0, Math.min(5, scopes.size())));
			}
		}
		catch (Exception ex) {
			failures.add("actuator cancelscope: " + ex.getMessage());
		}
		int[] threads = app.threadKinds();
		int fds = app.fds();
		values.put("threads", threads[0]);
		values.put("threadsWithoutTomcat", threads[0] - threads[1]);
		values.put("fds", fds);
		if (threads[0] - threads[1] > baseline.threads() + THREAD_TOLERANCE) {
			Map<String, Integer> more = new java.util.TreeMap<>();
			app.threadNames().forEach((name, count) -> {
				int before = baseline.threadNames().getOrDefault(name, 0);
				if (count > before && !ChaosApp.pooled(name)) {
					more.put(name, count - before);
				}
			});
			failures.add("threads (pools aside) " + (threads[0] - threads[1]) + " > baseline " + baseline.threads()
					+ " + " + THREAD_TOLERANCE + "; more than at the baseline: " + more);
		}
		if (fds > baseline.fds() + FD_TOLERANCE) {
			failures.add("file descriptors " + fds + " > baseline " + baseline.fds() + " + " + FD_TOLERANCE);
		}
		try {
			double healthy = healthyMedian(app, 5);
			values.put("healthyMedianMs", round(healthy));
			if (healthy > baseline.healthyLimitMs()) {
				failures.add("/healthy median " + ((healthy == Double.MAX_VALUE) ? "failed" : round(healthy) + " ms")
						+ " > " + round(baseline.healthyLimitMs()) + " ms");
			}
		}
		catch (Exception ex) {
			failures.add("/healthy: " + ex.getMessage());
		}
		if (failures.isEmpty()) {
			// the most expensive look last, once the others hold
			try {
				List<String> forks = app.forkThreads();
				values.put("forkThreads", forks.size());
				if (!forks.isEmpty()) {
					failures.add(forks.size() + " fork thread(s) alive " + forks.subList(0, Math.min(5, forks.size())));
				}
			}
			catch (Exception ex) {
				failures.add("thread dump: " + ex.getMessage());
			}
		}
		return new Look(failures, values);
	}

	/**
	 * Looks every 200 ms until everything holds, at most {@code limit}.
	 */
	static Settled await(ChaosApp app, ControlledPostgres postgres, Baseline baseline, Duration limit)
			throws InterruptedException {
		long start = System.nanoTime();
		long end = start + limit.toNanos();
		Look look = look(app, postgres, baseline);
		List<String> first = look.failures();
		while (!look.passed() && System.nanoTime() < end) {
			Thread.sleep(200);
			look = look(app, postgres, baseline);
		}
		return new Settled(look.passed() ? (System.nanoTime() - start) / 1e6 : -1, look, first);
	}

	static double round(double value) {
		return Math.round(value * 10) / 10.0;
	}

}
