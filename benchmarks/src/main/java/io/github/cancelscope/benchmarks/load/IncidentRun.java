package io.github.cancelscope.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.cancelscope.benchmarks.load.Exchange.Endpoint;
import io.github.cancelscope.benchmarks.load.Exchange.Outcome;

/**
 * What one instance did under the incident mix: every request, the pool over time, and what was
 * left on the database when the load stopped. Times in nanoseconds since the phase began.
 *
 * @param instance the instance's name
 * @param cancelscope whether the instance ran with cancelscope
 * @param duration how long the clients sent requests
 * @param poolSize the pool's maximum size
 * @param exchanges every request
 * @param samples the pool and the database, sampled during the load and while it drained
 * @param loadEnd when the last client got its last response (or gave up): the load stopped
 * @param atLoadEnd the pool and the database at {@code loadEnd}
 * @param drained when the pool was idle and no slow query was left on the server, or {@code -1} if
 * that did not happen within the drain limit
 */
record IncidentRun(String instance, boolean cancelscope, Duration duration, int poolSize, List<Exchange> exchanges,
		List<PoolSample> samples, long loadEnd, PoolSample atLoadEnd, long drained) {

	static final Duration LATENCY_BUCKET = Duration.ofMillis(500);

	List<Exchange> of(Endpoint endpoint) {
		return this.exchanges.stream().filter((exchange) -> exchange.endpoint() == endpoint).toList();
	}

	/**
	 * Successful {@code /healthy} responses per second, counting those that arrived while the
	 * clients were sending.
	 */
	double healthyThroughput() {
		long end = this.duration.toNanos();
		long ok = of(Endpoint.HEALTHY).stream()
			.filter((exchange) -> exchange.outcome() == Outcome.OK && exchange.end() <= end)
			.count();
		return ok / (this.duration.toNanos() / 1e9);
	}

	/**
	 * Latency of every {@code /healthy} request, whatever its outcome: what its caller waited.
	 */
	LatencySummary healthyLatency() {
		return LatencySummary.of(of(Endpoint.HEALTHY));
	}

	Map<Outcome, Integer> outcomes(Endpoint endpoint) {
		Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
		for (Exchange exchange : of(endpoint)) {
			counts.merge(exchange.outcome(), 1, Integer::sum);
		}
		return counts;
	}

	int healthyErrors() {
		return (int) of(Endpoint.HEALTHY).stream().filter((exchange) -> exchange.outcome().isError()).count();
	}

	int zombieErrors() {
		return (int) of(Endpoint.ZOMBIE).stream().filter((exchange) -> exchange.outcome().isError()).count();
	}

	private List<PoolSample> duringLoad() {
		long end = this.duration.toNanos();
		return this.samples.stream().filter((sample) -> sample.time() <= end && sample.active() >= 0).toList();
	}

	double meanOccupancy() {
		return duringLoad().stream().mapToInt(PoolSample::occupancy).average().orElse(0);
	}

	int maxOccupancy() {
		return duringLoad().stream().mapToInt(PoolSample::occupancy).max().orElse(0);
	}

	int maxPending() {
		return duringLoad().stream().mapToInt(PoolSample::pending).max().orElse(0);
	}

	double meanQueriesOnServer() {
		return duringLoad().stream().mapToInt(PoolSample::queriesOnServer).filter((q) -> q >= 0).average().orElse(0);
	}

	/**
	 * Share of the samples taken during the load in which every connection was lent out.
	 */
	double saturated() {
		List<PoolSample> samples = duringLoad();
		return samples.isEmpty() ? 0
				: samples.stream().filter((sample) -> sample.active() >= this.poolSize).count() / (double) samples.size();
	}

	/**
	 * Milliseconds from the end of the load until the pool was idle and the server had no slow query
	 * left, or {@code -1}.
	 */
	double drainMillis() {
		return (this.drained < 0) ? -1 : Math.max(0, this.drained - this.loadEnd) / 1e6;
	}

	/**
	 * {@code /healthy} latencies by the time their responses arrived, in buckets of
	 * {@link #LATENCY_BUCKET}: element {@code i} covers {@code [i, i + 1)} buckets.
	 */
	List<LatencySummary> healthyLatencyTimeline() {
		long bucket = LATENCY_BUCKET.toNanos();
		List<Exchange> healthy = of(Endpoint.HEALTHY);
		int buckets = (int) (this.loadEnd / bucket) + 1;
		List<List<Exchange>> grouped = new ArrayList<>();
		for (int i = 0; i < buckets; i++) {
			grouped.add(new ArrayList<>());
		}
		for (Exchange exchange : healthy) {
			grouped.get((int) Math.min(buckets - 1, exchange.end() / bucket)).add(exchange);
		}
		return grouped.stream().map(LatencySummary::of).toList();
	}

	Map<String, Object> asMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("instance", this.instance);
		map.put("cancelscope", this.cancelscope);
		map.put("healthyThroughputPerSecond", LatencySummary.round(healthyThroughput()));
		map.put("healthyLatency", healthyLatency().asMap());
		map.put("healthyOutcomes", labels(outcomes(Endpoint.HEALTHY)));
		map.put("zombieOutcomes", labels(outcomes(Endpoint.ZOMBIE)));
		map.put("zombieLatency", LatencySummary.of(of(Endpoint.ZOMBIE)).asMap());
		map.put("healthyErrors", healthyErrors());
		Map<String, Object> pool = new LinkedHashMap<>();
		pool.put("meanOccupancy", LatencySummary.round(meanOccupancy()));
		pool.put("maxOccupancy", maxOccupancy());
		pool.put("maxPending", maxPending());
		pool.put("saturatedShare", LatencySummary.round(saturated() * 100) / 100);
		pool.put("meanQueriesOnServer", LatencySummary.round(meanQueriesOnServer()));
		map.put("poolDuringLoad", pool);
		Map<String, Object> end = new LinkedHashMap<>();
		end.put("loadStoppedAtMs", LatencySummary.round(this.loadEnd / 1e6));
		end.put("queriesOnServer", this.atLoadEnd.queriesOnServer());
		end.put("active", this.atLoadEnd.active());
		end.put("pending", this.atLoadEnd.pending());
		end.put("drainMs", LatencySummary.round(drainMillis()));
		map.put("whenLoadStopped", end);
		List<Object> pool250 = new ArrayList<>();
		for (PoolSample sample : this.samples) {
			pool250.add(List.of(LatencySummary.round(sample.time() / 1e6), sample.active(), sample.pending(),
					sample.idle(), sample.queriesOnServer()));
		}
		map.put("poolTimelineColumns", List.of("timeMs", "active", "pending", "idle", "queriesOnServer"));
		map.put("poolTimeline", pool250);
		List<Object> latency = new ArrayList<>();
		List<LatencySummary> timeline = healthyLatencyTimeline();
		for (int i = 0; i < timeline.size(); i++) {
			LatencySummary summary = timeline.get(i);
			latency.add(List.of(i * LATENCY_BUCKET.toMillis(), summary.count(), LatencySummary.round(summary.p50()),
					LatencySummary.round(summary.p99()), LatencySummary.round(summary.max())));
		}
		map.put("healthyLatencyTimelineColumns", List.of("bucketStartMs", "responses", "p50Ms", "p99Ms", "maxMs"));
		map.put("healthyLatencyTimeline", latency);
		return map;
	}

	static Map<String, Integer> labels(Map<Outcome, Integer> counts) {
		Map<String, Integer> labelled = new LinkedHashMap<>();
		counts.forEach((outcome, count) -> labelled.put(outcome.label(), count));
		return labelled;
	}

}
