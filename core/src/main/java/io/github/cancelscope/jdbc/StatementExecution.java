package io.github.cancelscope.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a decorated statement ({@link CancellableStatement}). Outside any scope it is the
 * driver's execution, untouched. In a scope, it:
 * <ol>
 * <li>fails at once, without a round trip, if the scope is cancelled (a scope whose deadline has
 * passed is, even before its timer fires);</li>
 * <li>if the data source asks for the driver's query timeout as a backstop, runs with one no
 * longer than the time the scope has left (plus, if stuck connections are aborted, the abort time
 * and a second, so that the driver's own cancel does not race the abort: see {@link #afterAbort}),
 * rounded up to whole seconds, never longer than a timeout already set (by the application or by a
 * transaction), and restored afterwards;</li>
 * <li>runs in an {@linkplain RequestScope#abortable abortable region} whose abort is a
 * {@link StatementCancellation}, so cancelling the scope, its deadline included, calls
 * {@code Statement.cancel()}, never interrupts the thread, and never reaches a later statement; if
 * the execution has not returned some time after the cancel (a stalled database), the connection is
 * aborted;</li>
 * <li>throws a {@link ScopeCancelledSQLException} if it failed while the scope was cancelled.</li>
 * </ol>
 * An instance is both the region's body and its abort. The {@link StatementCancellation}, with its
 * retries and abort timer, is made only when the scope is cancelled while the statement runs: most
 * executions end first, and then cost this small object and no atomic operation of their own.
 *
 * @param <T> what the execution returns
 */
final class StatementExecution<T> implements CheckedCallable<T, SQLException>, Runnable {

	private final Statement statement;

	private final CancellableConnection connection;

	private final RequestScope scope;

	private final CheckedCallable<T, SQLException> execution;

	// written by the abort, which the region's exit waits for
	private volatile @Nullable StatementCancellation cancellation;

	private StatementExecution(Statement statement, CancellableConnection connection, RequestScope scope,
			CheckedCallable<T, SQLException> execution) {
		this.statement = statement;
		this.connection = connection;
		this.scope = scope;
		this.execution = execution;
	}

	/**
	 * Runs {@code execution} of {@code statement}, a statement of {@code connection}.
	 */
	static <T> T execute(Statement statement, CancellableConnection connection, CheckedCallable<T, SQLException> execution)
			throws SQLException {
		Optional<RequestScope> current = RequestScope.find();
		if (current.isEmpty()) {
			return execution.call();
		}
		RequestScope scope = current.get();
		int timeoutToRestore = -1;
		if (connection.queryTimeouts()) {
			// no round trip to set the timeout of a statement that will not run; else the region refuses it
			if (scope.isCancelled()) {
				throw ScopeCancelledSQLException.of("Statement not run", scope, null);
			}
			timeoutToRestore = limitQueryTimeout(statement, scope.remaining(), connection.abortPolicy());
		}
		Throwable failure = null;
		StatementExecution<T> region = new StatementExecution<>(statement, connection, scope, execution);
		try {
			return scope.abortable("jdbc", region, region);
		}
		catch (ScopeCancelledException ex) {
			SQLException notRun = new ScopeCancelledSQLException("Statement not run", ex);
			failure = notRun;
			throw notRun;
		}
		catch (SQLException ex) {
			SQLException thrown = scope.isCancelled() ? ScopeCancelledSQLException.of("Statement cancelled", scope, ex)
					: ex;
			failure = thrown;
			throw thrown;
		}
		catch (RuntimeException | Error ex) {
			failure = ex;
			throw ex;
		}
		finally {
			// the region has exited: its abort has returned, or never ran and never will
			StatementCancellation cancellation = region.cancellation;
			if (cancellation != null) {
				// wait for a cancel that began to complete, and begin no other (see StatementCancellation#finished)
				cancellation.finished();
			}
			if (timeoutToRestore >= 0) {
				restoreQueryTimeout(statement, timeoutToRestore, failure);
			}
		}
	}

	/**
	 * Runs the execution on the calling thread, as the body of its region.
	 */
	@Override
	public T call() throws SQLException {
		return this.execution.call();
	}

	/**
	 * Starts cancelling the execution, as the abort of its region: called at most once, when the
	 * scope is cancelled while the region runs (the driver may just have returned).
	 */
	@Override
	public void run() {
		StatementCancellation cancellation = new StatementCancellation(this.statement, this.connection.pooled(),
				this.scope, this.connection.abortPolicy());
		this.cancellation = cancellation;
		cancellation.run();
	}

	/**
	 * Lowers the query timeout to the time left, if that is shorter than the current one.
	 * @return the timeout to restore after the execution, or -1 if it was left as it was
	 */
	private static int limitQueryTimeout(Statement statement, Optional<Duration> remaining, AbortPolicy policy)
			throws SQLException {
		if (remaining.isEmpty()) {
			return -1;
		}
		int limit = wholeSecondsAtLeastOne(remaining.get().plus(afterAbort(policy)));
		int current = statement.getQueryTimeout();
		if (current != 0 && current <= limit) {
			return -1;
		}
		statement.setQueryTimeout(limit);
		return current;
	}

	private static void restoreQueryTimeout(Statement statement, int seconds, @Nullable Throwable failure)
			throws SQLException {
		try {
			statement.setQueryTimeout(seconds);
		}
		catch (SQLException | RuntimeException ex) {
			if (failure == null) {
				throw ex;
			}
			failure.addSuppressed(ex);
		}
	}

	/**
	 * Returns how much later than the deadline the query timeout falls: none if connections are never
	 * aborted, else after the abort and a second more. A driver's query timeout calls
	 * {@code Statement.cancel()}, which on pgjdbc holds the connection's lock while it waits for the
	 * server: on a stalled server, it would keep the executing thread from throwing once the abort has
	 * closed its socket (see {@link StatementCancellation}). The timeout stays a backstop behind the
	 * scope's own cancel and abort.
	 */
	private static Duration afterAbort(AbortPolicy policy) {
		if (!policy.aborts()) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.min(policy.abortAfterNanos(), TimeUnit.DAYS.toNanos(1))).plusSeconds(1);
	}

	private static int wholeSecondsAtLeastOne(Duration duration) {
		long seconds = duration.getSeconds() + ((duration.getNano() > 0) ? 1 : 0);
		return (int) Math.max(1, Math.min(seconds, Integer.MAX_VALUE));
	}

}
