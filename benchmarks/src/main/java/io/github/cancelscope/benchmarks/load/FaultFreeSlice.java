package io.github.cancelscope.benchmarks.load;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.cancelscope.benchmarks.load.Exchange.Outcome;

/**
 * One slice of the fault-free mix (only {@code /healthy}) on one instance. The two instances take
 * their slices in turn, so a neighbour's burst on a shared machine hits both alike.
 *
 * @param instance the instance's name
 * @param cancelscope whether the instance ran with cancelscope
 * @param index position of the slice in the run, from 0
 * @param duration how long the clients sent requests
 * @param exchanges every request
 */
record FaultFreeSlice(String instance, boolean cancelscope, int index, Duration duration, List<Exchange> exchanges) {

	int ok() {
		long end = this.duration.toNanos();
		return (int) this.exchanges.stream()
			.filter((exchange) -> exchange.outcome() == Outcome.OK && exchange.end() <= end)
			.count();
	}

	int errors() {
		return (int) this.exchanges.stream().filter((exchange) -> exchange.outcome().isError()).count();
	}

	double throughput() {
		return ok() / (this.duration.toNanos() / 1e9);
	}

	LatencySummary latency() {
		return LatencySummary.of(this.exchanges);
	}

	Map<String, Object> asMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("instance", this.instance);
		map.put("slice", this.index);
		map.put("throughputPerSecond", LatencySummary.round(throughput()));
		map.put("errors", errors());
		map.put("latency", latency().asMap());
		return map;
	}

}
