package io.github.cancelscope.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cancels one execution of a statement, and only that execution. It is the abort action of the
 * execution's region: {@link #run()} starts cancelling.
 * <p>
 * The cancel runs on one of a few shared platform threads (at most {@value #MAX_THREADS}), because
 * {@code Statement.cancel()} blocks for a round trip (2–5 ms with PostgreSQL) and the cancelling
 * thread may have other statements to stop. Not on a virtual thread: an embedded database such as
 * H2 runs queries busy on virtual threads that never yield, and on a small machine they can hold
 * every carrier thread, the canceller's included. {@code Statement.cancel()} is called at once, and
 * again, with growing pauses (10 ms doubling up to 1 s), while the execution runs: a driver drops
 * a cancel that arrives before it has entered the query (pgjdbc's {@code PgStatement.cancel()}
 * does nothing unless the statement is {@code IN_QUERY}, H2's unless a command is executing), and
 * such a cancel must not be lost. On pgjdbc the later cancels go through the connection
 * ({@link PgConnectionCancel}), because its statement can lose a cancel for good. The retries stop
 * about {@value #RETRY_BUDGET_SECONDS} s after the first cancel; the query timeout set from the
 * scope's deadline is then the backstop. Each attempt is a task of its own and no thread waits
 * between attempts, so a mass cancellation (shutdown, hundreds of queries) costs at most
 * {@value #MAX_THREADS} threads and cancel connections at a time; the other attempts queue.
 * <p>
 * Every {@code Statement.cancel()} runs holding this object's monitor, after checking that the
 * execution still runs, and {@link #finished()}, called by the executing thread as soon as the
 * driver returns, takes the same monitor. So a cancel that has begun completes before the
 * execution is over (pgjdbc's {@code cancel()} returns once the server has closed the cancel
 * connection, that is once it has signalled the backend), and none begins after: the next statement
 * on the connection is never hit (pgjdbc issue 412). A monitor rather than a lock object, so that an
 * execution that is never cancelled allocates nothing for it; since Java 24 a virtual thread that
 * waits for a monitor does not pin its carrier.
 */
final class StatementCancellation implements Runnable {

	private static final System.Logger logger = System.getLogger(StatementCancellation.class.getName());

	/** The most threads that cancel statements at once, in the whole JVM. */
	static final int MAX_THREADS = 16;

	static final long RETRY_BUDGET_SECONDS = 5;

	private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final AtomicInteger threads = new AtomicInteger();

	static final ScheduledThreadPoolExecutor cancellers = createCancellers();

	private final Statement statement;

	private final long retryBudgetNanos;

	// the fields below are guarded by this object's monitor

	private boolean running = true;

	private int attempts;

	private long firstAttemptNanos;

	private long pauseNanos = FIRST_RETRY_NANOS;

	private boolean gaveUp;

	StatementCancellation(Statement statement) {
		this(statement, TimeUnit.SECONDS.toNanos(RETRY_BUDGET_SECONDS));
	}

	StatementCancellation(Statement statement, long retryBudgetNanos) {
		this.statement = statement;
		this.retryBudgetNanos = retryBudgetNanos;
	}

	private static ScheduledThreadPoolExecutor createCancellers() {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(MAX_THREADS,
				(task) -> {
					Thread thread = new Thread(task, "cancelscope-statement-cancel-" + threads.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		executor.setKeepAliveTime(30, TimeUnit.SECONDS);
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	/**
	 * Starts cancelling the execution; returns at once.
	 */
	@Override
	public void run() {
		cancellers.execute(this::attempt);
	}

	/**
	 * Marks the execution as over, after a cancel in progress has completed. Called by the executing
	 * thread when the driver returns or throws.
	 */
	void finished() {
		synchronized (this) {
			this.running = false;
		}
	}

	/**
	 * Returns whether the retries stopped because the execution outlived them.
	 */
	synchronized boolean gaveUp() {
		return this.gaveUp;
	}

	private void attempt() {
		long pause;
		synchronized (this) {
			if (!this.running) {
				return;
			}
			long now = System.nanoTime();
			if (this.attempts == 0) {
				this.firstAttemptNanos = now;
			}
			cancelOnce(this.attempts++ == 0);
			pause = this.pauseNanos;
			if (now + pause - this.firstAttemptNanos > this.retryBudgetNanos) {
				this.gaveUp = true;
				logger.log(System.Logger.Level.DEBUG, () -> "Gave up cancelling a statement after " + this.attempts
						+ " attempts; its query timeout is the backstop");
				return;
			}
			this.pauseNanos = Math.min(pause * 2, MAX_RETRY_NANOS);
		}
		cancellers.schedule(this::attempt, pause, TimeUnit.NANOSECONDS);
	}

	private void cancelOnce(boolean first) {
		try {
			if (first || !PgConnectionCancel.cancelQuery(this.statement)) {
				this.statement.cancel();
			}
		}
		catch (SQLException | RuntimeException ex) {
			logger.log(System.Logger.Level.DEBUG, "Cancelling a statement failed", ex);
		}
	}

}
