package io.github.cancelscope.jdbc;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.jspecify.annotations.Nullable;

/**
 * A statement whose executions are cancelled with the scope they run in. Outside any scope it
 * behaves exactly as the driver's statement.
 * <p>
 * Each {@code execute…} method, in a scope:
 * <ol>
 * <li>fails at once, without a round trip, if the scope is cancelled (a scope whose deadline has
 * passed is, even before its timer fires);</li>
 * <li>if the data source asks for the driver's query timeout as a backstop, runs with one no
 * longer than the time the scope has left (plus, if stuck connections are aborted, the abort time
 * and a second, so that the driver's own cancel does not race the abort: see {@link #afterAbort}),
 * rounded up to whole seconds, never longer than a timeout already set (by the application or by a
 * transaction), and restored afterwards;</li>
 * <li>runs in an {@linkplain RequestScope#abortable abortable region} whose abort is a
 * {@link StatementCancellation}, so cancelling the scope calls {@code Statement.cancel()}, never
 * interrupts the thread, and never reaches a later statement; if the execution has not returned
 * some time after the cancel (a stalled database), the connection is aborted;</li>
 * <li>throws a {@link ScopeCancelledSQLException} if it failed while the scope was cancelled.</li>
 * </ol>
 *
 * @see CancellableConnection
 */
final class CancellableStatement extends JdbcProxy<Statement> {

	private final Connection connection;

	private final CancellableConnection owner;

	private CancellableStatement(Statement delegate, Connection connection, CancellableConnection owner) {
		super(delegate);
		this.connection = connection;
		this.owner = owner;
	}

	/**
	 * Wraps a statement of {@code owner}, whose proxy is {@code connection}.
	 */
	static <S extends Statement> S wrap(Class<S> type, S statement, Connection connection, CancellableConnection owner) {
		return create(type, new CancellableStatement(statement, connection, owner));
	}

	@Override
	@Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		if (method.getName().startsWith("execute")) {
			return execute(method, args);
		}
		if (method.getName().equals("getConnection")) {
			return this.connection;
		}
		return invokeDelegate(method, args);
	}

	private @Nullable Object execute(Method method, @Nullable Object[] args) throws Throwable {
		Optional<RequestScope> current = RequestScope.find();
		if (current.isEmpty()) {
			return invokeDelegate(method, args);
		}
		RequestScope scope = current.get();
		if (scope.isCancelled()) {
			throw ScopeCancelledSQLException.of("Statement not run", scope, null);
		}
		int timeoutToRestore = this.owner.queryTimeouts() ? limitQueryTimeout(scope.remaining()) : -1;
		Throwable failure = null;
		try {
			StatementCancellation cancellation = new StatementCancellation(this.delegate, this.owner.pooled(), scope,
					this.owner.abortPolicy());
			return scope.abortable("jdbc", cancellation, () -> {
				try {
					return invokeDelegate(method, args);
				}
				finally {
					cancellation.finished();
				}
			});
		}
		catch (ScopeCancelledException ex) {
			failure = new ScopeCancelledSQLException("Statement not run", ex);
			throw failure;
		}
		catch (SQLException ex) {
			failure = scope.isCancelled() ? ScopeCancelledSQLException.of("Statement cancelled", scope, ex) : ex;
			throw failure;
		}
		catch (Throwable ex) {
			failure = ex;
			throw ex;
		}
		finally {
			if (timeoutToRestore >= 0) {
				restoreQueryTimeout(timeoutToRestore, failure);
			}
		}
	}

	/**
	 * Lowers the query timeout to the time left, if that is shorter than the current one.
	 * @return the timeout to restore after the execution, or -1 if it was left as it was
	 */
	private int limitQueryTimeout(Optional<Duration> remaining) throws SQLException {
		if (remaining.isEmpty()) {
			return -1;
		}
		int limit = wholeSecondsAtLeastOne(remaining.get().plus(afterAbort(this.owner.abortPolicy())));
		int current = this.delegate.getQueryTimeout();
		if (current != 0 && current <= limit) {
			return -1;
		}
		this.delegate.setQueryTimeout(limit);
		return current;
	}

	private void restoreQueryTimeout(int seconds, @Nullable Throwable failure) throws SQLException {
		try {
			this.delegate.setQueryTimeout(seconds);
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
	static Duration afterAbort(AbortPolicy policy) {
		if (!policy.aborts()) {
			return Duration.ZERO;
		}
		return Duration.ofNanos(Math.min(policy.abortAfterNanos(), TimeUnit.DAYS.toNanos(1))).plusSeconds(1);
	}

	static int wholeSecondsAtLeastOne(Duration duration) {
		long seconds = duration.getSeconds() + ((duration.getNano() > 0) ? 1 : 0);
		return (int) Math.max(1, Math.min(seconds, Integer.MAX_VALUE));
	}

}
