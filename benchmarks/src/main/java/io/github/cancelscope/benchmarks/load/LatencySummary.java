package io.github.cancelscope.benchmarks.load;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Count and percentiles of a set of latencies, in milliseconds (nearest-rank percentiles).
 *
 * @param count how many
 * @param p50 median
 * @param p99 99th percentile
 * @param max largest
 */
record LatencySummary(int count, double p50, double p99, double max) {

	static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0);

	static LatencySummary of(List<Exchange> exchanges) {
		double[] millis = new double[exchanges.size()];
		for (int i = 0; i < millis.length; i++) {
			millis[i] = exchanges.get(i).latencyMillis();
		}
		return of(millis);
	}

	static LatencySummary of(double[] millis) {
		if (millis.length == 0) {
			return EMPTY;
		}
		double[] sorted = millis.clone();
		Arrays.sort(sorted);
		return new LatencySummary(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted[sorted.length - 1]);
	}

	private static double rank(double[] sorted, double quantile) {
		int index = (int) Math.ceil(quantile * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	Map<String, Object> asMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("count", this.count);
		map.put("p50Ms", round(this.p50));
		map.put("p99Ms", round(this.p99));
		map.put("maxMs", round(this.max));
		return map;
	}

	static double round(double value) {
		return Math.round(value * 10) / 10.0;
	}

}
