package io.github.cancelscope.test;

import java.time.Duration;
import java.util.List;

/**
 * Writes the message of a failed leak check: one numbered entry per leak, with its origin and
 * stack, and how to allow a leak that is meant.
 */
final class LeakReport {

	private LeakReport() {
	}

	static String of(String test, List<Leak> leaks, Duration grace, boolean seesVirtualThreads) {
		StringBuilder report = new StringBuilder();
		report.append(leaks.size()).append(" leak(s) after ").append(test).append(": work outlived the test (waited ")
			.append(grace.toMillis())
			.append(" ms for it to end)");
		int number = 0;
		for (Leak leak : leaks) {
			report.append("\n\n").append(++number).append(". ").append(leak.description());
			if (leak.origin() != null) {
				report.append("\n   origin: ").append(leak.origin());
			}
			for (String frame : leak.stack()) {
				report.append("\n      ").append(frame.startsWith("...") ? "" : "at ").append(frame);
			}
		}
		report.append("\n\nEnd or close the work before the test ends (join forks, close scopes and connections, "
				+ "shut executors down). To allow a leak that is meant: @AllowLeaks(threads = \"<thread name, * for "
				+ "any text>\", reason = \"...\") on the test method or class, or, in a Spring test, the property "
				+ "cancelscope.test.leak-check.allowed-threads.");
		if (!seesVirtualThreads) {
			report.append(" (Virtual threads are not listed on Java ").append(Runtime.version().feature()).append(".)");
		}
		return report.toString();
	}

}
