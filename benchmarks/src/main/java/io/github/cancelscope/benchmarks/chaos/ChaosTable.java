package io.github.cancelscope.benchmarks.chaos;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's results as a Markdown table, one row per fault.
 */
final class ChaosTable {

	private ChaosTable() {
	}

	static String markdown(ChaosOptions options, List<Map<String, Object>> results, Map<String, Object> machine) {
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"Run of %s, %s cores, Java %s, %s mode, load average %s at the start and %s at the end; %d s in all.%n%n",
				machine.get("date"), machine.get("cores"), machine.get("java"), options.shortRun() ? "short" : "full",
				machine.get("loadAverageAtStart"), machine.get("loadAverageAtEnd"), machine.get("runSeconds")));
		md.append("| fault | load | result | time to recover | answered past deadline + bound | peak threads (before) | settled after |\n");
		md.append("|---|---|---|---:|---:|---:|---:|\n");
		for (Map<String, Object> result : results) {
			boolean passed = Boolean.TRUE.equals(result.get("passed"));
			Object requests = result.get("requests");
			Object late = result.get("answeredPastDeadlinePlusBound");
			Object byServer = result.get("pastBoundAlsoByServerTime");
			String lateText = (requests != null) ? late + " of " + requests : "–";
			if (byServer != null && late instanceof Number number && number.intValue() > 0) {
				lateText += " (past it by the server's own time: " + byServer + ")";
			}
			md.append(String.format(Locale.ROOT, "| %s: %s | %s | %s | %s | %s | %s (%s) | %s |%n", result.get("fault"),
					result.get("what"), result.get("load"), passed ? "**pass**" : "**FAIL**: " + result.get("failures"),
					ms(result.get("recoveredMs")) + recoveredMeaning(result), lateText, result.get("peakThreads"),
					result.get("threadsBefore"), ms(result.get("settledMs"))));
		}
		md.append(String.format(Locale.ROOT, "%nBound: a load request asks for a %s deadline and must be answered within"
				+ " %s more (cancelscope.jdbc.abort-after, 1 s by default, plus 1 s for the loaded machine). \"Time to"
				+ " recover\": from the fault's end to the first `/healthy` sent after it and answered 200, unless the row"
				+ " says otherwise. \"Settled after\": from the load's end until every check held: no pool connection"
				+ " lent, no query on PostgreSQL, no scope in flight, no fork thread alive, threads (the pools of Tomcat"
				+ " and the JDK HttpClient aside)"
				+ " within %d and file descriptors within %d of the baseline, `/healthy` median within max(%.0f x"
				+ " baseline, %.0f ms).%n", ChaosOptions.format(options.deadline()), ChaosOptions.format(options.bound()),
				Checks.THREAD_TOLERANCE, Checks.FD_TOLERANCE, Checks.HEALTHY_FACTOR, Checks.HEALTHY_FLOOR_MS));
		return md.toString();
	}

	private static String recoveredMeaning(Map<String, Object> result) {
		Object meaning = result.get("recoveredMeaning");
		return (meaning != null) ? " (" + meaning + ")" : "";
	}

	private static String ms(Object value) {
		if (value instanceof Number number) {
			double ms = number.doubleValue();
			return (ms < 0) ? "never" : String.format(Locale.ROOT, "%.0f ms", ms);
		}
		return "–";
	}

}
