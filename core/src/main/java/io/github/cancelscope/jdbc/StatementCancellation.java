package io.github.cancelscope.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.spi.ExecutorSaturation;
import org.jspecify.annotations.Nullable;

/**
 * Stops one execution of a statement, and only that execution: first by cancelling it, then, if it
 * has not returned {@linkplain AbortPolicy#abortAfterNanos() some time} after the first cancel, by
 * aborting its connection. It is the abort action of the execution's region: {@link #run()} starts.
 *
 * <h2>Cancel</h2>
 * The cancel runs on one of a few shared platform threads (at most {@value #MAX_THREADS}), because
 * {@code Statement.cancel()} blocks for a round trip (2–5 ms with PostgreSQL) and the cancelling
 * thread may have other statements to stop. Not on a virtual thread: an embedded database such as
 * H2 runs queries busy on virtual threads that never yield, and on a small machine they can hold
 * every carrier thread, the canceller's included. {@code Statement.cancel()} is called at once, and
 * again, with growing pauses (10 ms doubling up to 1 s), while the execution runs: a driver drops
 * a cancel that arrives before it has entered the query (pgjdbc's {@code PgStatement.cancel()}
 * does nothing unless the statement is {@code IN_QUERY}, H2's unless a command is executing), and
 * such a cancel must not be lost. On pgjdbc the cancels go through the connection
 * ({@link PgConnectionCancel}), because its statement can lose a cancel for good. The retries stop
 * about {@value #RETRY_BUDGET_SECONDS} s after the first cancel, or when the connection is aborted.
 * Each attempt is a task of its own and no thread waits between attempts.
 * <p>
 * A cancel that has begun completes before the execution is over: {@link #finished()}, called by
 * the executing thread once the driver has returned and the execution's region has exited, waits
 * for it (pgjdbc's {@code cancel()} returns once the server has closed the cancel connection, that
 * is once it has signalled the backend), and none begins after. So the next statement on the
 * connection is never hit (pgjdbc issue 412). The one exception is an aborted connection, which has
 * no next statement. A cancel that comes just after the driver returned, before the region exited,
 * reaches an idle connection, which ignores it (PostgreSQL while it reads the next command; H2 and
 * pgjdbc's statement when nothing executes).
 *
 * <h2>Abort</h2>
 * A stalled server answers neither the query nor the cancel: pgjdbc's cancel opens a new connection
 * and waits for the server to close it. So, independently of the cancel in progress, a timer aborts
 * the connection ({@code Connection.abort(Executor)}, JDBC 4.1) if the execution has not returned,
 * or is still waiting for a cancel, when the policy's time has passed since the first cancel. The
 * driver closes the socket, the blocked thread gets an I/O error, and the pool (HikariCP on that
 * error's SQLState {@code 08006}) evicts the connection. One warning is logged and the policy's
 * listener is told.
 * <p>
 * On pgjdbc every cancel goes through the connection ({@link PgConnectionCancel}), never through
 * {@code PgStatement.cancel()}: that one holds the connection's lock while it waits for the server,
 * up to pgjdbc's {@code cancelSignalTimeout} (10 s), and the executing thread, once its socket is
 * closed, needs that lock before it can throw. For the same reason the driver's query timeout that
 * {@link StatementExecution} sets when asked to (pgjdbc's own timer calls
 * {@code PgStatement.cancel()}) falls after the abort, not before it.
 *
 * <h2>Bounded resources</h2>
 * Three shared executors serve every statement of the JVM: the cancellers (at most
 * {@value #MAX_THREADS} platform threads, {@value #MAX_QUEUED} queued attempts), one timer thread that
 * times the retries and aborts, and the aborters (at most {@value #ABORT_THREADS} threads,
 * {@value #MAX_QUEUED} queued). Each execution has at most one attempt and one abort pending at a
 * time, so the timer's queue is bounded by the executions running. A saturated canceller queue
 * retries the attempt {@value #SATURATED_RETRY_MILLIS} ms later; a saturated abort runs on the timer
 * thread; both are logged and counted by {@link ExecutorSaturation} as {@value ExecutorSaturation#JDBC}.
 */
final class StatementCancellation implements Runnable {

	private static final System.Logger logger = System.getLogger(StatementCancellation.class.getName());

	/** The most threads that cancel statements at once, in the whole JVM. */
	static final int MAX_THREADS = 16;

	/** The most threads that abort connections at once, in the whole JVM. */
	static final int ABORT_THREADS = 4;

	/** The most cancel attempts, and aborts, waiting for a thread. */
	static final int MAX_QUEUED = 4096;

	static final long RETRY_BUDGET_SECONDS = 5;

	static final long SATURATED_RETRY_MILLIS = 10;

	private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	static final ScheduledThreadPoolExecutor timer = createTimer();

	static final ThreadPoolExecutor cancellers = createPool("cancelscope-statement-cancel-", MAX_THREADS,
			(task, pool) -> {
				ExecutorSaturation.report(ExecutorSaturation.JDBC, MAX_THREADS + " cancel threads, " + MAX_QUEUED
						+ " queued", SATURATED_RETRY_MILLIS + " ms later");
				timer.schedule(() -> submitCancel(task), SATURATED_RETRY_MILLIS, TimeUnit.MILLISECONDS);
			});

	static final ThreadPoolExecutor aborters = createPool("cancelscope-statement-cancel-abort-", ABORT_THREADS,
			(task, pool) -> {
				ExecutorSaturation.report(ExecutorSaturation.JDBC, ABORT_THREADS + " abort threads, " + MAX_QUEUED
						+ " queued", "on the submitting thread");
				task.run();
			});

	private final Statement statement;

	private final @Nullable Connection connection;

	private final @Nullable RequestScope scope;

	private final AbortPolicy policy;

	private final long retryBudgetNanos;

	// the fields below are guarded by this object's monitor

	private boolean running = true;

	private boolean cancelling;

	private boolean abortStarted;

	private boolean aborted;

	private int attempts;

	private long firstAttemptNanos;

	private long pauseNanos = FIRST_RETRY_NANOS;

	private boolean gaveUp;

	// written by run(), read by the abort it schedules
	private volatile long cancelledNanos;

	private volatile @Nullable ScheduledFuture<?> abortTimer;

	/**
	 * Creates a cancellation that only cancels, never aborts.
	 */
	StatementCancellation(Statement statement) {
		this(statement, TimeUnit.SECONDS.toNanos(RETRY_BUDGET_SECONDS));
	}

	StatementCancellation(Statement statement, long retryBudgetNanos) {
		this(statement, null, null, AbortPolicy.NEVER, retryBudgetNanos);
	}

	/**
	 * Creates a cancellation that aborts {@code connection} as {@code policy} says.
	 * @param connection the connection to abort: the one the application was handed by its pool
	 * @param scope the scope whose cancellation this is, for the log and the listener
	 */
	StatementCancellation(Statement statement, Connection connection, RequestScope scope, AbortPolicy policy) {
		this(statement, connection, scope, policy, TimeUnit.SECONDS.toNanos(RETRY_BUDGET_SECONDS));
	}

	private StatementCancellation(Statement statement, @Nullable Connection connection, @Nullable RequestScope scope,
			AbortPolicy policy, long retryBudgetNanos) {
		this.statement = statement;
		this.connection = connection;
		this.scope = scope;
		this.policy = (connection != null) ? policy : AbortPolicy.NEVER;
		this.retryBudgetNanos = retryBudgetNanos;
	}

	private static ScheduledThreadPoolExecutor createTimer() {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
				daemonThreads("cancelscope-statement-cancel-timer-"));
		executor.setRemoveOnCancelPolicy(true);
		return executor;
	}

	private static ThreadPoolExecutor createPool(String prefix, int threads, RejectedExecutionHandler saturated) {
		ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(MAX_QUEUED), daemonThreads(prefix), saturated);
		executor.allowCoreThreadTimeOut(true);
		return executor;
	}

	private static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			// inherits no thread-locals from the thread that happens to start it, possibly a request's
			Thread thread = new Thread(null, task, prefix + count.incrementAndGet(), 0, false);
			thread.setDaemon(true);
			return thread;
		};
	}

	private static void submitCancel(Runnable attempt) {
		cancellers.execute(attempt);
	}

	/**
	 * Starts cancelling the execution, and times the abort of its connection; returns at once.
	 */
	@Override
	public void run() {
		this.cancelledNanos = System.nanoTime();
		submitCancel(this::attempt);
		if (this.policy.aborts()) {
			this.abortTimer = timer.schedule(() -> aborters.execute(this::abortIfStuck),
					this.policy.abortAfterNanos(), TimeUnit.NANOSECONDS);
		}
	}

	/**
	 * Marks the execution as over, after a cancel in progress has completed, unless the connection
	 * has been aborted meanwhile. Called by the executing thread after the driver returned or threw,
	 * once the execution's region has exited, so after {@link #run()}.
	 */
	void finished() {
		boolean interrupted = false;
		synchronized (this) {
			this.running = false;
			while (this.cancelling && !this.aborted) {
				try {
					wait();
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		// an execution that returned in time leaves nothing in the timer's queue
		ScheduledFuture<?> abortTimer = this.abortTimer;
		if (abortTimer != null) {
			abortTimer.cancel(false);
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Returns whether the retries stopped because the execution outlived them.
	 */
	synchronized boolean gaveUp() {
		return this.gaveUp;
	}

	/**
	 * Returns whether the connection was aborted.
	 */
	synchronized boolean aborted() {
		return this.aborted;
	}

	private void attempt() {
		synchronized (this) {
			if (!this.running || this.aborted) {
				return;
			}
			if (this.attempts == 0) {
				this.firstAttemptNanos = System.nanoTime();
			}
			this.attempts++;
			this.cancelling = true;
		}
		long pause;
		try {
			cancelOnce();
		}
		finally {
			synchronized (this) {
				this.cancelling = false;
				notifyAll();
				pause = nextPause();
			}
		}
		if (pause >= 0) {
			timer.schedule(() -> submitCancel(this::attempt), pause, TimeUnit.NANOSECONDS);
		}
	}

	// called holding this; -1 for no retry
	private long nextPause() {
		if (!this.running || this.aborted) {
			return -1;
		}
		long pause = this.pauseNanos;
		if (System.nanoTime() + pause - this.firstAttemptNanos > this.retryBudgetNanos) {
			this.gaveUp = true;
			logger.log(System.Logger.Level.DEBUG, () -> "Gave up cancelling a statement after " + this.attempts
					+ " attempts; it runs until it ends or its connection is aborted");
			return -1;
		}
		this.pauseNanos = Math.min(pause * 2, MAX_RETRY_NANOS);
		return pause;
	}

	private void cancelOnce() {
		try {
			if (!PgConnectionCancel.cancelQuery(this.statement)) {
				this.statement.cancel();
			}
		}
		catch (SQLException | RuntimeException ex) {
			logger.log(System.Logger.Level.DEBUG, "Cancelling a statement failed", ex);
		}
	}

	/**
	 * Aborts the connection if the execution still runs, or still waits for a cancel to complete.
	 */
	private void abortIfStuck() {
		Connection connection = this.connection;
		synchronized (this) {
			if (connection == null || this.abortStarted || (!this.running && !this.cancelling)) {
				return;
			}
			this.abortStarted = true;
		}
		Duration afterCancel = Duration.ofNanos(System.nanoTime() - this.cancelledNanos);
		Cancellation cancellation = (this.scope != null) ? this.scope.cancellation().orElse(null) : null;
		if (cancellation == null) {
			cancellation = Cancellation.of(CancellationReason.CANCELLED, null);
		}
		String scopeId = (this.scope != null) ? this.scope.id() : "?";
		try {
			connection.abort(aborters);
		}
		catch (SQLException | RuntimeException ex) {
			logger.log(System.Logger.Level.WARNING, "Aborting the connection of a cancelled statement of scope "
					+ scopeId + " failed; the statement keeps running until the database answers", ex);
			return;
		}
		// only now may the executing thread stop waiting for a cancel in progress: its connection is gone
		synchronized (this) {
			this.aborted = true;
			notifyAll();
		}

		Cancellation reason = cancellation;
		logger.log(System.Logger.Level.WARNING, () -> "Aborted JDBC connection " + connection + ": its statement in scope "
				+ scopeId + " (" + reason.reason() + ") had not returned " + afterCancel.toMillis()
				+ " ms after it was cancelled, so the database is stalled or unreachable. The pool evicts the connection.");
		try {
			this.policy.listener().connectionAborted(cancellation, afterCancel);
		}
		catch (RuntimeException ex) {
			logger.log(System.Logger.Level.WARNING, "A connection abort listener failed", ex);
		}
	}

}
