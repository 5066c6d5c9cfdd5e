package io.github.cancelscope.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

import javax.sql.DataSource;

import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DataSource} whose JDBC work stops when the {@linkplain RequestScope scope} it runs in is
 * cancelled. Outside any scope it behaves exactly as the data source it wraps.
 * {@snippet :
 * DataSource dataSource = CancellableDataSource.wrap(hikariDataSource);
 * }
 *
 * <h2>In a scope</h2>
 * <ul>
 * <li>{@code getConnection()} fails at once if the scope is cancelled, and a thread waiting for a
 * pool's connection stops waiting when the scope is cancelled, its deadline included: the wait
 * runs in an {@linkplain RequestScope#interruptible interruptible region}, and pools such as HikariCP
 * give up within a millisecond of an interrupt. The interrupt is cleared when the wait ends.</li>
 * <li>A statement (plain, prepared or callable, whoever runs it: JDBC code, {@code JdbcTemplate},
 * JPA) fails at once, without a round trip, if the scope is already cancelled or its deadline has
 * passed (even before the timer that cancels the scope has fired); and when the scope is
 * cancelled while it runs, its deadline included, it is stopped with a cancel (pgjdbc's
 * {@code PGConnection.cancelQuery()}, else {@code Statement.cancel()}), so the database stops the
 * query and the connection stays usable. The thread is never interrupted for it, and a cancel never
 * reaches a statement that runs after the cancelled one. The scope's deadline is the statement's
 * timeout: the driver's own query timeout is left as the application set it, unless
 * {@link #withDriverQueryTimeout} asks for it as a backstop.</li>
 * <li>Work stopped by the scope throws a {@link ScopeCancelledSQLException}, SQLState
 * {@value ScopeCancelledSQLException#SQL_STATE}, whose cause is the scope's
 * {@link ScopeCancelledException}.</li>
 * </ul>
 * <h2>A database that does not answer</h2>
 * A cancel needs the database to answer: a stalled or unreachable server answers neither the query
 * nor the cancel. So if a cancelled statement has not returned {@linkplain #withAbortAfter some time}
 * after the cancel (one second unless set), its connection is aborted with JDBC's
 * {@code Connection.abort(Executor)}: the driver closes the socket, the blocked thread gets its
 * exception, the pool evicts the connection, and a warning is logged ({@link #withAbortListener} for
 * metrics). No thread that ran the statement waits for the database beyond that. A wait for a
 * HikariCP connection that the cancellation did not end within that time (the pool was checking an
 * idle connection with the stalled database) gets the pool's idle connections evicted, so it ends
 * once the check in progress times out.
 *
 * <p>
 * Closing or rolling back a connection is never refused, so a transaction cut short is rolled back
 * and the connection goes back to the pool clean. Connection methods (commit, rollback, close, the
 * resets of isolation, read-only, catalog and schema, {@code isValid}…) run with the thread's
 * interrupt status cleared and restored afterwards, so a forked task interrupted by its scope does
 * not lose the connection's socket to its interrupt (see {@link ScopeCancelledSQLException} for
 * what stopped work throws).
 *
 * <p>
 * {@link #unwrap(Class)} and {@link #isWrapperFor(Class)} reach the wrapped data source (for
 * example to get the pool's own type). Instances are safe for use by any number of threads.
 */
public final class CancellableDataSource implements DataSource {

	private final DataSource target;

	private final AbortPolicy abortPolicy;

	// whether statements get the driver's query timeout as a backstop, where it helps
	private final boolean driverQueryTimeout;

	// whether statements get the time left as their query timeout; known from the first connection
	private volatile @Nullable Boolean queryTimeouts;

	// evicts the idle connections of a pool whose wait a cancellation did not end; null if unknown
	private final @Nullable StuckPoolWait stuckPoolWait;

	private CancellableDataSource(DataSource target, AbortPolicy abortPolicy, boolean driverQueryTimeout) {
		this.target = target;
		this.abortPolicy = abortPolicy;
		this.driverQueryTimeout = driverQueryTimeout;
		this.stuckPoolWait = StuckPoolWait.of(target);
	}

	/**
	 * Wraps a data source, unless it is already a {@code CancellableDataSource}.
	 * @param dataSource the data source to wrap
	 * @return the wrapping data source
	 */
	public static CancellableDataSource wrap(DataSource dataSource) {
		Objects.requireNonNull(dataSource, "dataSource");
		if (dataSource instanceof CancellableDataSource cancellable) {
			return cancellable;
		}
		return new CancellableDataSource(dataSource, AbortPolicy.DEFAULT, false);
	}

	/**
	 * Returns a data source like this one whose connections are aborted when a statement cancelled by
	 * its scope has not returned {@code abortAfter} after the cancel.
	 * @param abortAfter how long after the cancel; {@code null} never to abort, only to cancel
	 * @return a data source around the same target
	 * @throws IllegalArgumentException if {@code abortAfter} is negative or zero
	 */
	public CancellableDataSource withAbortAfter(@Nullable Duration abortAfter) {
		if (abortAfter != null && (abortAfter.isNegative() || abortAfter.isZero())) {
			throw new IllegalArgumentException("abortAfter must be positive (or null never to abort), was " + abortAfter);
		}
		long nanos = (abortAfter != null) ? saturatedNanos(abortAfter) : -1;
		return new CancellableDataSource(this.target, new AbortPolicy(nanos, this.abortPolicy.listener()),
				this.driverQueryTimeout);
	}

	/**
	 * Returns a data source like this one that tells {@code listener} of every connection it aborts.
	 * @param listener the listener
	 * @return a data source around the same target
	 */
	public CancellableDataSource withAbortListener(ConnectionAbortListener listener) {
		Objects.requireNonNull(listener, "listener");
		return new CancellableDataSource(this.target, new AbortPolicy(this.abortPolicy.abortAfterNanos(), listener),
				this.driverQueryTimeout);
	}

	/**
	 * Returns a data source like this one whose statements in a scope with a deadline also get the
	 * driver's own query timeout, as a backstop behind the scope's cancel and abort: the scope's time
	 * left, plus the abort time and a second when stuck connections are aborted (so that it never
	 * races the abort), never longer than a timeout the application set, which is restored after the
	 * execution. An in-process database (H2 in memory or in a file) never gets it: the scope's own
	 * cancel always reaches it.
	 * <p>
	 * Off unless asked for, because it is not free: drivers time a query on a timer thread of their
	 * own (pgjdbc on a {@code java.util.Timer}), which this sets and clears on every execution. Measured with pgjdbc on two cores: {@code SELECT 1} on a pooled connection
	 * took about 15 µs (a third) longer with a query timeout than without.
	 * @param driverQueryTimeout whether statements get the driver's query timeout
	 * @return a data source around the same target
	 */
	public CancellableDataSource withDriverQueryTimeout(boolean driverQueryTimeout) {
		return new CancellableDataSource(this.target, this.abortPolicy, driverQueryTimeout);
	}

	/**
	 * Returns how long after its cancel a statement that has not returned gets its connection aborted.
	 * @return the time, or empty if connections are never aborted
	 */
	public Optional<Duration> abortAfter() {
		return this.abortPolicy.aborts() ? Optional.of(Duration.ofNanos(this.abortPolicy.abortAfterNanos()))
				: Optional.empty();
	}

	/**
	 * Returns whether statements in a scope with a deadline also get the driver's query timeout.
	 * @return whether they do (never on an in-process database)
	 * @see #withDriverQueryTimeout(boolean)
	 */
	public boolean driverQueryTimeout() {
		return this.driverQueryTimeout;
	}

	/**
	 * Returns the data source this one wraps.
	 * @return the wrapped data source
	 */
	public DataSource getTarget() {
		return this.target;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return wrap(acquire(this.target::getConnection));
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return wrap(acquire(() -> this.target.getConnection(username, password)));
	}

	private Connection wrap(Connection connection) {
		Boolean queryTimeouts = this.queryTimeouts;
		if (queryTimeouts == null) {
			queryTimeouts = this.driverQueryTimeout && !isInProcess(connection);
			this.queryTimeouts = queryTimeouts;
		}
		return new CancellableConnection(connection, queryTimeouts, this.abortPolicy);
	}

	/**
	 * Whether the database runs in this JVM (H2 in memory or on a local file). The query timeout is
	 * a backstop for a database that the scope's own cancel cannot reach; an in-process one it always
	 * reaches, and H2 pays two {@code SET QUERY_TIMEOUT} commands per statement for a timeout.
	 */
	private static boolean isInProcess(Connection connection) {
		try {
			String url = connection.getMetaData().getURL();
			return url != null && url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:tcp:")
					&& !url.startsWith("jdbc:h2:ssl:");
		}
		catch (SQLException | RuntimeException ex) {
			return false;
		}
	}

	private Connection acquire(CheckedCallable<Connection, SQLException> getConnection) throws SQLException {
		Optional<RequestScope> current = RequestScope.find();
		if (current.isEmpty()) {
			return getConnection.call();
		}
		RequestScope scope = current.get();
		StuckPoolWait stuckPoolWait = this.stuckPoolWait;
		Registration armed = (stuckPoolWait != null && this.abortPolicy.aborts())
				? stuckPoolWait.arm(scope, this.abortPolicy) : Registration.NONE;
		try {
			return scope.interruptible("jdbc-pool", getConnection);
		}
		catch (ScopeCancelledException ex) {
			throw new ScopeCancelledSQLException("No connection acquired", ex);
		}
		catch (SQLException ex) {
			if (scope.isCancelled()) {
				throw ScopeCancelledSQLException.of("Connection acquisition stopped", scope, ex);
			}
			throw ex;
		}
		finally {
			armed.close();
		}
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

	@Override
	public PrintWriter getLogWriter() throws SQLException {
		return this.target.getLogWriter();
	}

	@Override
	public void setLogWriter(PrintWriter out) throws SQLException {
		this.target.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		this.target.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return this.target.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return this.target.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		if (type.isInstance(this)) {
			return type.cast(this);
		}
		if (type.isInstance(this.target)) {
			return type.cast(this.target);
		}
		return this.target.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return type.isInstance(this) || type.isInstance(this.target) || this.target.isWrapperFor(type);
	}

	@Override
	public String toString() {
		return "CancellableDataSource[" + this.target + "]";
	}

}
