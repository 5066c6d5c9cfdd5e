package io.github.cancelscope.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Cancels one execution of a statement, and only that execution.
 * <p>
 * {@link #cancel()} is the abort action of the execution's region: it hands the work to a pooled
 * platform thread, because {@code Statement.cancel()} blocks for a round trip (2–5 ms with
 * PostgreSQL) and the cancelling thread may have other statements to stop. Not to a virtual thread:
 * an embedded database such as H2 runs queries busy on virtual threads that never yield, and on a
 * small machine they can hold every carrier thread, the canceller's included. That thread calls
 * {@code Statement.cancel()} at once, and cancels again, with growing pauses, for as long as the
 * execution runs: a driver drops a cancel that arrives before it has entered the query (pgjdbc's
 * {@code PgStatement.cancel()} does nothing unless the statement is {@code IN_QUERY}, H2's unless a
 * command is executing), and such a cancel must not be lost. On pgjdbc the later cancels go
 * through the connection ({@link PgConnectionCancel}), because its statement can lose a cancel
 * for good.
 * <p>
 * Every {@code Statement.cancel()} runs under a lock, and {@link #finished()}, called by the
 * executing thread as soon as the driver returns, takes the same lock. So a cancel that has begun
 * completes before the execution is over (pgjdbc's {@code cancel()} returns once the server has
 * closed the cancel connection, that is once it has signalled the backend), and none begins after:
 * the next statement on the connection is never hit (pgjdbc issue 412).
 */
final class StatementCancellation {

	private static final System.Logger logger = System.getLogger(StatementCancellation.class.getName());

	private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final ExecutorService cancellers = Executors
		.newCachedThreadPool(Thread.ofPlatform().name("cancelscope-statement-cancel-", 1).daemon().factory());

	private final Statement statement;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition ended = this.lock.newCondition();

	// guarded by lock
	private boolean running = true;

	StatementCancellation(Statement statement) {
		this.statement = statement;
	}

	/**
	 * Starts cancelling the execution; returns at once.
	 */
	void cancel() {
		cancellers.execute(this::cancelUntilFinished);
	}

	/**
	 * Marks the execution as over, after a cancel in progress has completed. Called by the executing
	 * thread when the driver returns or throws.
	 */
	void finished() {
		this.lock.lock();
		try {
			this.running = false;
			this.ended.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void cancelUntilFinished() {
		long pause = FIRST_RETRY_NANOS;
		this.lock.lock();
		try {
			boolean first = true;
			while (this.running) {
				cancelOnce(first);
				first = false;
				long left = pause;
				while (this.running && left > 0) {
					left = this.ended.awaitNanos(left);
				}
				pause = Math.min(pause * 2, MAX_RETRY_NANOS);
			}
		}
		catch (InterruptedException ex) {
			// nobody interrupts this thread; stop retrying if someone does
			Thread.currentThread().interrupt();
		}
		finally {
			this.lock.unlock();
		}
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
