package io.github.cancelscope.benchmarks.load;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import io.github.cancelscope.benchmarks.load.Exchange.Endpoint;
import io.github.cancelscope.benchmarks.load.Exchange.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * The results as Markdown tables, for the console and the README alike.
 */
final class ResultTable {

	private ResultTable() {
	}

	static String incident(IncidentRun off, IncidentRun on) {
		StringBuilder table = header("incident mix");
		row(table, "/healthy throughput (200/s)", off, on, IncidentRun::healthyThroughput, "%.1f", true);
		row(table, "/healthy latency p50 (ms)", off, on, (run) -> run.healthyLatency().p50(), "%.1f", true);
		row(table, "/healthy latency p99 (ms)", off, on, (run) -> run.healthyLatency().p99(), "%.1f", true);
		row(table, "/healthy latency max (ms)", off, on, (run) -> run.healthyLatency().max(), "%.1f", true);
		row(table, "/healthy requests", off, on, (run) -> run.of(Endpoint.HEALTHY).size(), "%.0f", true);
		for (Outcome outcome : List.of(Outcome.POOL_TIMEOUT, Outcome.DEADLINE_EXCEEDED, Outcome.UNAVAILABLE,
				Outcome.OTHER_5XX, Outcome.OTHER_STATUS, Outcome.CLIENT_TIMEOUT, Outcome.CONNECTION_FAILED)) {
			row(table, "/healthy errors: " + outcome.label(), off, on,
					(run) -> run.outcomes(Endpoint.HEALTHY).getOrDefault(outcome, 0), "%.0f", false);
		}
		row(table, "/zombie requests (500 by design)", off, on,
				(run) -> run.outcomes(Endpoint.ZOMBIE).getOrDefault(Outcome.EXPECTED_FAILURE, 0), "%.0f", true);
		row(table, "/zombie errors (timeouts, other)", off, on, IncidentRun::zombieErrors, "%.0f", false);
		row(table, "/zombie latency p50 (ms)", off, on, (run) -> LatencySummary.of(run.of(Endpoint.ZOMBIE)).p50(),
				"%.1f", true);
		row(table, "pool: mean active + waiting", off, on, IncidentRun::meanOccupancy, "%.1f", true);
		row(table, "pool: max waiting for a connection", off, on, IncidentRun::maxPending, "%.0f", true);
		row(table, "pool: samples with every connection lent (%)", off, on, (run) -> run.saturated() * 100, "%.0f",
				true);
		row(table, "slow queries on the server, mean during load", off, on, IncidentRun::meanQueriesOnServer,
				"%.1f", true);
		row(table, "slow queries on the server when the load stopped", off, on,
				(run) -> run.atLoadEnd().queriesOnServer(), "%.0f", true);
		row(table, "threads waiting for a connection when the load stopped", off, on,
				(run) -> run.atLoadEnd().pending(), "%.0f", true);
		row(table, "pool and server idle after the load stopped (ms)", off, on, IncidentRun::drainMillis, "%.0f",
				true);
		return table.toString();
	}

	static String faultFree(List<FaultFreeSlice> slices) {
		List<FaultFreeSlice> off = slices.stream().filter((slice) -> !slice.cancelscope()).toList();
		List<FaultFreeSlice> on = slices.stream().filter(FaultFreeSlice::cancelscope).toList();
		StringBuilder table = new StringBuilder(
				"| fault-free mix (only /healthy) | without cancelscope | with cancelscope | with / without |\n"
						+ "|---|---:|---:|---:|\n");
		double offThroughput = throughput(off);
		double onThroughput = throughput(on);
		table.append(String.format(Locale.ROOT, "| throughput (200/s), all slices | %.1f | %.1f | %s |%n",
				offThroughput, onThroughput, ratio(onThroughput, offThroughput)));
		table.append(String.format(Locale.ROOT, "| throughput per slice (200/s) | %s | %s | |%n", perSlice(off),
				perSlice(on)));
		double offP50 = mean(off, (slice) -> slice.latency().p50());
		double onP50 = mean(on, (slice) -> slice.latency().p50());
		double offP99 = mean(off, (slice) -> slice.latency().p99());
		double onP99 = mean(on, (slice) -> slice.latency().p99());
		table.append(String.format(Locale.ROOT, "| latency p50, mean of slices (ms) | %.1f | %.1f | %s |%n", offP50,
				onP50, ratio(onP50, offP50)));
		table.append(String.format(Locale.ROOT, "| latency p99, mean of slices (ms) | %.1f | %.1f | %s |%n", offP99,
				onP99, ratio(onP99, offP99)));
		table.append(String.format(Locale.ROOT, "| errors | %d | %d | |%n",
				off.stream().mapToInt(FaultFreeSlice::errors).sum(), on.stream().mapToInt(FaultFreeSlice::errors).sum()));
		return table.toString();
	}

	static double throughput(List<FaultFreeSlice> slices) {
		double seconds = slices.stream().mapToDouble((slice) -> slice.duration().toNanos() / 1e9).sum();
		return (seconds == 0) ? 0 : slices.stream().mapToInt(FaultFreeSlice::ok).sum() / seconds;
	}

	private static String perSlice(List<FaultFreeSlice> slices) {
		return slices.stream()
			.map((slice) -> String.format(Locale.ROOT, "%.0f", slice.throughput()))
			.collect(Collectors.joining(", "));
	}

	private static double mean(List<FaultFreeSlice> slices, ToDoubleFunction<FaultFreeSlice> value) {
		return slices.stream().mapToDouble(value).average().orElse(0);
	}

	static String shutdown(@Nullable ShutdownRun off, @Nullable ShutdownRun on) {
		StringBuilder table = new StringBuilder(
				"| SIGTERM under the incident mix | without cancelscope | with cancelscope |\n|---|---:|---:|\n");
		shutdownRow(table, "requests in flight at SIGTERM", off, on, (run) -> Integer.toString(run.inFlight()));
		shutdownRow(table, "port free after (ms)", off, on, (run) -> millis(run.portFree()));
		shutdownRow(table, "process exited after (ms)", off, on, (run) -> millis(run.exited()));
		shutdownRow(table, "how the in-flight requests ended", off, on, (run) -> outcomes(run.outcomes()));
		shutdownRow(table, "slow queries on the server after the process exited", off, on,
				(run) -> Integer.toString(run.queriesAfterExit()));
		shutdownRow(table, "server idle after (ms since SIGTERM)", off, on, (run) -> millis(run.serverIdle()));
		return table.toString();
	}

	private static String outcomes(Map<Outcome, Integer> outcomes) {
		return outcomes.entrySet()
			.stream()
			.map((entry) -> entry.getValue() + " " + entry.getKey().label())
			.collect(Collectors.joining(", "));
	}

	private static String millis(double millis) {
		return (millis < 0) ? "not within the limit" : String.format(Locale.ROOT, "%.0f", millis);
	}

	private static void shutdownRow(StringBuilder table, String label, @Nullable ShutdownRun off,
			@Nullable ShutdownRun on, Function<ShutdownRun, String> value) {
		table.append("| ")
			.append(label)
			.append(" | ")
			.append((off != null) ? value.apply(off) : "–")
			.append(" | ")
			.append((on != null) ? value.apply(on) : "–")
			.append(" |\n");
	}

	private static StringBuilder header(String title) {
		return new StringBuilder("| " + title + " | without cancelscope | with cancelscope | with / without |\n"
				+ "|---|---:|---:|---:|\n");
	}

	private static void row(StringBuilder table, String label, IncidentRun off, IncidentRun on,
			ToDoubleFunction<IncidentRun> value, String format, boolean ratio) {
		double offValue = value.applyAsDouble(off);
		double onValue = value.applyAsDouble(on);
		if (!ratio && offValue == 0 && onValue == 0) {
			return;
		}
		table.append(String.format(Locale.ROOT, "| %s | " + format + " | " + format + " | %s |%n", label, offValue,
				onValue, ratio ? ratio(onValue, offValue) : ""));
	}

	static String watcher(List<FaultFreeSlice> slices, CloseToCancelRun on, CloseToCancelRun off) {
		// in the watcher phase the slice's "cancelscope" flag says whether the watcher was on
		List<FaultFreeSlice> offSlices = slices.stream().filter((slice) -> !slice.cancelscope()).toList();
		List<FaultFreeSlice> onSlices = slices.stream().filter(FaultFreeSlice::cancelscope).toList();
		StringBuilder table = new StringBuilder(
				"| trivial endpoint, interleaved slices | watcher off | watcher on | on / off |\n|---|---:|---:|---:|\n");
		double offThroughput = throughput(offSlices);
		double onThroughput = throughput(onSlices);
		table.append(String.format(Locale.ROOT, "| throughput (200/s), all slices | %.1f | %.1f | %s |%n",
				offThroughput, onThroughput, ratio(onThroughput, offThroughput)));
		table.append(String.format(Locale.ROOT, "| throughput per slice (200/s) | %s | %s | |%n", perSlice(offSlices),
				perSlice(onSlices)));
		double offP50 = mean(offSlices, (slice) -> slice.latency().p50());
		double onP50 = mean(onSlices, (slice) -> slice.latency().p50());
		double offP99 = mean(offSlices, (slice) -> slice.latency().p99());
		double onP99 = mean(onSlices, (slice) -> slice.latency().p99());
		table.append(String.format(Locale.ROOT, "| latency p50, mean of slices (ms) | %.1f | %.1f | %s |%n", offP50,
				onP50, ratio(onP50, offP50)));
		table.append(String.format(Locale.ROOT, "| latency p99, mean of slices (ms) | %.1f | %.1f | %s |%n", offP99,
				onP99, ratio(onP99, offP99)));
		table.append(String.format(Locale.ROOT, "| errors | %d | %d | |%n",
				offSlices.stream().mapToInt(FaultFreeSlice::errors).sum(),
				onSlices.stream().mapToInt(FaultFreeSlice::errors).sum()));
		table.append('\n');
		table.append(String.format(Locale.ROOT,
				"| %d keep-alive connections with a request in flight, %d closed at once | watcher off (control) | watcher on |%n|---|---:|---:|%n",
				on.connections(), on.closed()));
		closeRow(table, "requests started before the close", off, on, (run) -> run.startedBeforeClose() + " of " + run.connections());
		closeRow(table, "closed requests cancelled", off, on, (run) -> run.cancelled() + " of " + run.closed()
				+ " within " + run.observeMillis() + " ms");
		closeRow(table, "close → cancelled p50 / p99 / max (ms)", off, on, (run) -> (run.cancelled() == 0) ? "–"
				: String.format(Locale.ROOT, "%.0f / %.0f / %.0f", run.latency().p50(), run.latency().p99(),
						run.latency().max()));
		closeRow(table, "closed requests whose cleanup ran", off, on, (run) -> Integer.toString(run.cleanupsRan()));
		closeRow(table, "closed requests still running at the end of the window", off, on,
				(run) -> Integer.toString(run.stillRunning()));
		closeRow(table, "other requests answered 200", off, on, (run) -> run.keptAnswered() + " of "
				+ (run.connections() - run.closed()) + " (" + run.keptInFlightAtClose() + " in flight at the close)");
		closeRow(table, "other requests cancelled", off, on, (run) -> Integer.toString(run.keptCancelled()));
		closeRow(table, "time to close all (ms)", off, on,
				(run) -> String.format(Locale.ROOT, "%.1f", run.closeSpread()));
		closeRow(table, "sample's sockets in CLOSE_WAIT before → 1 s after", off, on,
				(run) -> run.closeWaitBefore() + " → " + run.closeWaitAfter());
		closeRow(table, "sample's open fds before → 1 s after", off, on,
				(run) -> run.fdsBefore() + " → " + run.fdsAfter());
		return table.toString();
	}

	private static void closeRow(StringBuilder table, String label, CloseToCancelRun off, CloseToCancelRun on,
			Function<CloseToCancelRun, String> value) {
		table.append("| ").append(label).append(" | ").append(value.apply(off)).append(" | ")
			.append(value.apply(on)).append(" |\n");
	}

	static String ratio(double on, double off) {
		if (off == 0) {
			return (on == 0) ? "–" : "∞";
		}
		double ratio = on / off;
		return (ratio >= 100) ? String.format(Locale.ROOT, "%.0f×", ratio)
				: (ratio >= 10) ? String.format(Locale.ROOT, "%.1f×", ratio) : String.format(Locale.ROOT, "%.2f×", ratio);
	}

}
