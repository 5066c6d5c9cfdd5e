package io.github.cancelscope.spi;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts, and logs, the times a bounded executor that does cancellation work was full: all its
 * threads busy and its queue at its limit. Such work is never dropped: the executor that reports a
 * saturation runs the task another safe way (on the submitting thread, or later), and says which in
 * its log line.
 * <p>
 * Executors are named by a short word: {@value #DEADLINES} (the expiry of deadlines),
 * {@value #JDBC} (JDBC cancels and connection aborts), {@code disconnect} (the client disconnect
 * watcher's cancellations). The log line is a warning, at most one every
 * {@value #LOG_INTERVAL_SECONDS} s for each executor; the count of every saturation is kept for
 * metrics ({@link #count(String)}). Safe for use by any number of threads.
 */
public final class ExecutorSaturation {

	/** The executor that runs due deadlines. */
	public static final String DEADLINES = "deadlines";

	/** The executor that runs JDBC statement cancels and connection aborts. */
	public static final String JDBC = "jdbc";

	static final long LOG_INTERVAL_SECONDS = 10;

	private static final System.Logger logger = System.getLogger(ExecutorSaturation.class.getName());

	private static final Map<String, Counts> counts = new ConcurrentHashMap<>();

	private ExecutorSaturation() {
	}

	/**
	 * Records that {@code executor} was full, and logs it unless it was logged less than
	 * {@value #LOG_INTERVAL_SECONDS} s ago.
	 * @param executor the executor's name
	 * @param limits its bounds, for the log line, such as {@code "4 threads, 4096 queued"}
	 * @param fallback how the task runs instead, for the log line, such as {@code "on the timer thread"}
	 */
	public static void report(String executor, String limits, String fallback) {
		Counts of = counts.computeIfAbsent(executor, (key) -> new Counts());
		long total = of.total.incrementAndGet();
		long now = System.nanoTime();
		long last = of.lastLogNanos.get();
		if ((total == 1 || now - last >= TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS))
				&& of.lastLogNanos.compareAndSet(last, now)) {
			logger.log(System.Logger.Level.WARNING,
					() -> "The cancelscope " + executor + " executor is saturated (" + limits + "): a task runs "
							+ fallback + " instead. Saturated " + total + " times so far; this is logged at most every "
							+ LOG_INTERVAL_SECONDS + " s.");
		}
	}

	/**
	 * Returns how many times {@code executor} was saturated since the JVM started.
	 * @param executor the executor's name
	 * @return the count, 0 if never
	 */
	public static long count(String executor) {
		Counts of = counts.get(executor);
		return (of != null) ? of.total.get() : 0;
	}

	private static final class Counts {

		final AtomicLong total = new AtomicLong();

		final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime());

	}

}
