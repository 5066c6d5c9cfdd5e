package io.github.cancelscope.benchmarks.load;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Many keep-alive connections, each with a request in flight on {@code /slow}; some closed at once
 * (FIN), the others left to be answered. Times in milliseconds.
 *
 * @param instance the instance's name
 * @param watcher whether the instance ran with the client-disconnect watcher
 * @param connections connections opened, each with a request in flight
 * @param closed connections closed at once
 * @param startedBeforeClose requests the sample had started (its "started" log line) before the
 * first close
 * @param keptInFlightAtClose of the requests left open, those not yet answered when the first socket
 * was closed
 * @param closeSpread from the first close to the last
 * @param closeToCancelled per closed request whose work ended "cancelled" within the observation
 * window: from its socket's close to the sample's log line for it (millisecond timestamps)
 * @param completedAnyway closed requests whose work ran to completion within the window
 * @param stillRunning closed requests with no end line within the window
 * @param cleanupsRan closed requests whose scope's cleanup printed "cleanup ran" within the window
 * @param keptAnswered requests left open that were answered 200
 * @param keptFailed requests left open that got another status, no answer or a broken connection
 * @param keptCancelled requests left open whose work the sample logged as cancelled
 * @param observeMillis how long the driver waited for the closed requests' work to end
 * @param fdsBefore the sample's open file descriptors before the connections were opened
 * @param fdsAfter the same, a second after every connection of the driver was closed
 * @param closeWaitBefore the sample's sockets in CLOSE_WAIT before
 * @param closeWaitAfter the same, a second after every connection of the driver was closed
 */
record CloseToCancelRun(String instance, boolean watcher, int connections, int closed, int startedBeforeClose,
		int keptInFlightAtClose, double closeSpread, double[] closeToCancelled, int completedAnyway,
		int stillRunning, int cleanupsRan, int keptAnswered, int keptFailed, int keptCancelled, long observeMillis,
		int fdsBefore, int fdsAfter, int closeWaitBefore, int closeWaitAfter) {

	int cancelled() {
		return this.closeToCancelled.length;
	}

	LatencySummary latency() {
		return LatencySummary.of(this.closeToCancelled);
	}

	Map<String, Object> asMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("instance", this.instance);
		map.put("watcher", this.watcher);
		map.put("connections", this.connections);
		map.put("closedAtOnce", this.closed);
		map.put("startedBeforeClose", this.startedBeforeClose);
		map.put("keptInFlightAtClose", this.keptInFlightAtClose);
		map.put("closeSpreadMs", LatencySummary.round(this.closeSpread));
		map.put("observeWindowMs", this.observeMillis);
		map.put("closedCancelled", cancelled());
		map.put("closedCompletedAnyway", this.completedAnyway);
		map.put("closedStillRunningAtEndOfWindow", this.stillRunning);
		map.put("closedCleanupsRan", this.cleanupsRan);
		LatencySummary latency = latency();
		Map<String, Object> closeToCancel = new LinkedHashMap<>(latency.asMap());
		closeToCancel.put("minMs", (this.closeToCancelled.length == 0) ? null
				: LatencySummary.round(Arrays.stream(this.closeToCancelled).min().orElse(0)));
		closeToCancel.put("resolution", "sample log timestamps, 1 ms; the driver's close time from Instant.now()");
		closeToCancel.put("sortedMs", Arrays.stream(this.closeToCancelled)
			.sorted()
			.mapToObj(LatencySummary::round)
			.toList());
		map.put("closeToCancelled", closeToCancel);
		map.put("keptAnswered200", this.keptAnswered);
		map.put("keptFailed", this.keptFailed);
		map.put("keptCancelled", this.keptCancelled);
		map.put("sampleFdsBefore", this.fdsBefore);
		map.put("sampleFdsAfter", this.fdsAfter);
		map.put("sampleCloseWaitBefore", this.closeWaitBefore);
		map.put("sampleCloseWaitAfter", this.closeWaitAfter);
		return map;
	}

}
