package io.github.cancelscope.benchmarks.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When the sample's shutdown steps happened, in milliseconds after SIGTERM, from its log: Spring
 * Boot's graceful shutdown, cancelscope's cancellation of what still ran after the grace, and the
 * pool's close.
 */
final class ShutdownTimeline {

	private static final Map<String, String> STEPS = new LinkedHashMap<>();

	static {
		STEPS.put("Commencing graceful shutdown", "gracefulShutdownBegan");
		STEPS.put("still running", "scopesCancelledAfterGrace");
		STEPS.put("Graceful shutdown complete", "gracefulShutdownComplete");
		STEPS.put("Shutdown initiated", "poolCloseBegan");
		STEPS.put("Shutdown completed", "poolClosed");
	}

	private ShutdownTimeline() {
	}

	static Map<String, Object> read(Path log, Instant signal) throws IOException {
		Map<String, Object> timeline = new LinkedHashMap<>();
		List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
		for (String line : lines) {
			for (Map.Entry<String, String> step : STEPS.entrySet()) {
				if (line.contains(step.getKey()) && !timeline.containsKey(step.getValue())) {
					try {
						Instant at = OffsetDateTime.parse(line.substring(0, line.indexOf(' '))).toInstant();
						if (!at.isBefore(signal.minusSeconds(1))) {
							timeline.put(step.getValue() + "Ms", Duration.between(signal, at).toMillis());
							if (step.getValue().equals("scopesCancelledAfterGrace")) {
								timeline.put("cancelledLine", line.substring(line.lastIndexOf(" : ") + 3));
							}
						}
					}
					catch (DateTimeParseException | StringIndexOutOfBoundsException ex) {
						// not a log line of its own
					}
				}
			}
		}
		return timeline;
	}

}
