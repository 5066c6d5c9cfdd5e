package io.github.cancelscope.benchmarks.load;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.cancelscope.benchmarks.load.Exchange.Outcome;

/**
 * SIGTERM to one instance while the incident mix runs. Times in milliseconds since the signal.
 *
 * @param instance the instance's name
 * @param cancelscope whether the instance ran with cancelscope
 * @param inFlight requests waiting for their response when the signal was sent
 * @param portFree when a new server could bind the port, or {@code -1} if not within the limit
 * @param exited when the process had exited, or {@code -1} if not within the limit (then it was killed)
 * @param exitCode the exit code, or {@code -1}
 * @param afterSignal the requests in flight at the signal, as they ended
 * @param queriesAfterExit the instance's slow queries still executing on the database once it had
 * exited
 * @param serverIdle when the database had no slow query left, or {@code -1}
 */
record ShutdownRun(String instance, boolean cancelscope, int inFlight, double portFree, double exited,
		int exitCode, List<Exchange> afterSignal, int queriesAfterExit, double serverIdle) {

	Map<Outcome, Integer> outcomes() {
		Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
		for (Exchange exchange : this.afterSignal) {
			counts.merge(exchange.outcome(), 1, Integer::sum);
		}
		return counts;
	}

	Map<String, Object> asMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("instance", this.instance);
		map.put("cancelscope", this.cancelscope);
		map.put("inFlightAtSigterm", this.inFlight);
		map.put("portFreeMs", LatencySummary.round(this.portFree));
		map.put("exitedMs", LatencySummary.round(this.exited));
		map.put("exitCode", this.exitCode);
		map.put("inFlightOutcomes", IncidentRun.labels(outcomes()));
		map.put("queriesOnServerAfterExit", this.queriesAfterExit);
		map.put("serverIdleMs", LatencySummary.round(this.serverIdle));
		return map;
	}

}
