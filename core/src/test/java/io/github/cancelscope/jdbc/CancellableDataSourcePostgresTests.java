package io.github.cancelscope.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.StalledTimerClock;
import io.github.cancelscope.Subtask;
import io.github.cancelscope.TestThreads;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link CancellableDataSource} against a real PostgreSQL through HikariCP: what the server and the
 * pool see when scopes are cancelled.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CancellableDataSourcePostgresTests {

	private static final String APP = "cancelscope-core-test";

	private static final Duration HANG = Duration.ofSeconds(20);

	private static HikariDataSource pool;

	private static CancellableDataSource dataSource;

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSystemClock();

	@BeforeAll
	static void createPool() throws SQLException {
		pool = PostgresServer.pool(APP, 4);
		dataSource = CancellableDataSource.wrap(pool);
		try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS orders (id int)");
		}
	}

	@AfterAll
	static void closePool() {
		pool.close();
	}

	@AfterEach
	void poolIsIdle() {
		await("every connection back in the pool").atMost(HANG)
			.until(() -> pool.getHikariPoolMXBean().getActiveConnections() == 0);
	}

	@Test
	void statementInCancelledScopeFailsWithoutRoundTrip() throws Exception {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection();
						Statement statement = connection.createStatement()) {
					int pid = backendPid(statement);
					scope.cancel(CancellationReason.CANCELLED);
					assertThatExceptionOfType(ScopeCancelledSQLException.class)
						.isThrownBy(() -> statement.executeQuery("SELECT 'never-sent-marker'"))
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.CANCELLED))
						.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"))
						.satisfies((ex) -> assertThat(ScopeCancelledException.findIn(ex)).isNotNull());
					assertThat(PostgresServer.backend(pid)).doesNotContain("never-sent-marker");
				}
				return null;
			});
		}
	}

	@Test
	void cancellingScopeCancelsRunningQueryOnServer() throws Exception {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection();
						PreparedStatement statement = connection.prepareStatement("SELECT pg_sleep(30) /* cancel-me */")) {
					int pid = backendPid(connection.createStatement());
					CompletableFuture<Void> cancelled = cancelWhenRunning(scope, "cancel-me");
					assertThatExceptionOfType(ScopeCancelledSQLException.class).isThrownBy(statement::executeQuery)
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.CANCELLED))
						.satisfies((ex) -> assertThat(ex.getSuppressed()).singleElement()
							.satisfies((driver) -> assertThat(((SQLException) driver).getSQLState())
								.as("driver's SQLState: a query cancel, not a broken connection")
								.isEqualTo("57014")));
					cancelled.join();
					assertThat(PostgresServer.backend(pid)).as("the query stopped on the server").startsWith("idle:");
					assertThat(Thread.currentThread().isInterrupted()).isFalse();
				}
				return null;
			});
		}
		try (Connection connection = dataSource.getConnection()) {
			assertThat(selectOne(connection)).as("pooled connection still works").isEqualTo(1);
		}
	}

	@Test
	void deadlineStopsTheQueryOnTheServerNotBeforeTheDeadline() throws Exception {
		long start = System.nanoTime();
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofMillis(300))) {
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					int pid = backendPid(statement);
					assertThatExceptionOfType(ScopeCancelledSQLException.class)
						.isThrownBy(() -> statement.executeQuery("SELECT pg_sleep(30)"))
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED))
						.satisfies((ex) -> assertThat(ex.getSuppressed()).as("the server's own cancellation")
							.singleElement()
							.satisfies((driver) -> assertThat(((SQLException) driver).getSQLState()).isEqualTo("57014")));
					assertThat(PostgresServer.backend(pid)).as("the query stopped on the server").startsWith("idle:");
				}
				return null;
			});
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void driverQueryTimeoutIsLeftAsTheApplicationSetItUnlessAskedFor() throws Exception {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(60))) {
			assertThat(queryTimeoutWhileRunning(scope, dataSource, "default-timeout")).as("no backstop asked for")
				.isZero();
			assertThat(queryTimeoutWhileRunning(scope, dataSource.withDriverQueryTimeout(true), "backstop-timeout"))
				.as("60 s left, then 1 s to abort and 1 s more")
				.isBetween(61, 62);
		}
	}

	// the query timeout a statement of the scope has while it runs on the server, read from another thread
	private static int queryTimeoutWhileRunning(CancellableScope scope, CancellableDataSource dataSource, String marker)
			throws Exception {
		return scope.call(() -> {
			try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
				CompletableFuture<Integer> timeout = CompletableFuture.supplyAsync(() -> {
					await("query " + marker + " running on the server").atMost(HANG)
						.until(() -> PostgresServer.activeQueries(APP).stream().anyMatch((query) -> query.contains(marker)));
					try {
						int running = statement.getQueryTimeout();
						statement.cancel();
						return running;
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
				});
				assertThatExceptionOfType(SQLException.class)
					.isThrownBy(() -> statement.execute("SELECT pg_sleep(30) /* " + marker + " */"))
					.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
				return timeout.join();
			}
		});
	}

	@Test
	void driverQueryTimeoutIsLoweredToTimeLeftAndRestored() throws Exception {
		// the manual clock never fires the deadline: only the query timeout can stop the query
		try (CancellableScope manual = CancellableScope.root(ScopeSettings.defaults().withClock(new ManualScopeClock()));
				CancellableScope scope = manual.openChild(Duration.ofMillis(300))) {
			CancellableDataSource dataSource = CancellableDataSourcePostgresTests.dataSource.withDriverQueryTimeout(true);
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					statement.setQueryTimeout(60);
					long start = System.nanoTime();
					assertThatExceptionOfType(SQLException.class).isThrownBy(() -> statement.execute("SELECT pg_sleep(120)"))
						.isNotInstanceOf(ScopeCancelledSQLException.class)
						.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
					assertThat(Duration.ofNanos(System.nanoTime() - start))
						.as("300 ms left, then 1 s to abort and 1 s more: timeout of 3 s, not 60 s")
						.isBetween(Duration.ofMillis(2950), HANG);
					assertThat(statement.getQueryTimeout()).as("application's timeout restored").isEqualTo(60);
				}
				return null;
			});
		}
	}

	@Test
	void shorterDriverQueryTimeoutIsNeverRaised() throws Exception {
		try (CancellableScope manual = CancellableScope.root(ScopeSettings.defaults().withClock(new ManualScopeClock()));
				CancellableScope scope = manual.openChild(Duration.ofSeconds(60))) {
			CancellableDataSource dataSource = CancellableDataSourcePostgresTests.dataSource.withDriverQueryTimeout(true);
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					statement.setQueryTimeout(1);
					long start = System.nanoTime();
					assertThatExceptionOfType(SQLException.class).isThrownBy(() -> statement.execute("SELECT pg_sleep(120)"))
						.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"));
					assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the application's 1 s, not the scope's 60 s")
						.isLessThan(HANG);
					assertThat(statement.getQueryTimeout()).isEqualTo(1);
				}
				return null;
			});
		}
	}

	@Test
	void waitForPoolConnectionEndsAtDeadline() throws Exception {
		try (HikariDataSource single = PostgresServer.pool(APP + "-single", 1);
				Connection held = single.getConnection()) {
			CancellableDataSource cancellable = CancellableDataSource.wrap(single);
			long start = System.nanoTime();
			try (CancellableScope scope = this.root.scope().openChild(Duration.ofMillis(300))) {
				scope.call(() -> assertThatExceptionOfType(ScopeCancelledSQLException.class)
					.isThrownBy(cancellable::getConnection)
					.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED))
					.satisfies(CancellableDataSourcePostgresTests::poolWaitWasInterrupted));
			}
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(single.getHikariPoolMXBean().getThreadsAwaitingConnection()).isZero();
		}
	}

	@Test
	void waitForPoolConnectionEndsWhenScopeIsCancelled() throws Exception {
		try (HikariDataSource single = PostgresServer.pool(APP + "-single", 1);
				Connection held = single.getConnection()) {
			CancellableDataSource cancellable = CancellableDataSource.wrap(single);
			try (CancellableScope scope = this.root.scope().openChild()) {
				CompletableFuture<Void> cancelled = CompletableFuture.runAsync(() -> {
					await("a thread waiting for the pool's connection").atMost(HANG)
						.until(() -> single.getHikariPoolMXBean().getThreadsAwaitingConnection() == 1);
					scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
				});
				scope.call(() -> assertThatExceptionOfType(ScopeCancelledSQLException.class)
					.isThrownBy(cancellable::getConnection)
					.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED))
					.satisfies(CancellableDataSourcePostgresTests::poolWaitWasInterrupted));
				cancelled.join();
				assertThat(single.getHikariPoolMXBean().getThreadsAwaitingConnection()).isZero();
			}
		}
	}

	@Test
	void cancelledStatementInTransactionIsRolledBackAndConnectionReused() throws Exception {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofMillis(300))) {
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					connection.setAutoCommit(false);
					statement.executeUpdate("INSERT INTO orders VALUES (42)");
					assertThatExceptionOfType(ScopeCancelledSQLException.class)
						.isThrownBy(() -> statement.execute("SELECT pg_sleep(10)"));
					// no rollback by the application: the pool rolls back when it takes the connection back
				}
				return null;
			});
		}
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		for (int i = 0; i < 4; i++) { // every pooled connection, the one that was cancelled included
			try (CancellableScope scope = this.root.scope().openChild()) {
				scope.call(() -> {
					try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
							ResultSet rows = statement.executeQuery("SELECT count(*) FROM orders WHERE id = 42")) {
						rows.next();
						assertThat(rows.getInt(1)).as("rolled back").isZero();
					}
					return null;
				});
			}
		}
	}

	@Test
	void forkedStatementIsCancelledAndItsConnectionSurvives() throws Exception {
		int backendsBefore = PostgresServer.backends(APP);
		try (CancellableScope scope = this.root.scope().openChild()) {
			Subtask<Void> query = scope.fork(() -> {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					connection.setAutoCommit(false);
					statement.executeUpdate("INSERT INTO orders VALUES (43)");
					try {
						statement.execute("SELECT pg_sleep(30) /* forked */");
					}
					catch (SQLException ex) {
						assertThat(Thread.currentThread().isInterrupted()).as("interrupted once out of the statement")
							.isTrue();
						connection.rollback();
						throw ex;
					}
				}
				return null;
			});
			cancelWhenRunning(scope, "forked").join();
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(query::join);
		}
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		assertThat(PostgresServer.activeQueries(APP)).isEmpty();
		assertThat(PostgresServer.backends(APP)).as("no connection lost to the interrupt").isEqualTo(backendsBefore);
		assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(4);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void interruptedVirtualThreadCommitsAndKeepsItsConnection() throws Exception {
		// on a virtual thread an interrupt closes a blocked socket: the connection must hold it off
		commitsOnAnInterruptedThread((task) -> TestThreads.startVirtual("interrupted-fork", task));
	}

	@Test
	void interruptedPlatformThreadCommitsAndKeepsItsConnection() throws Exception {
		// where forks run on platform threads (Java 17 to 20)
		commitsOnAnInterruptedThread(TestThreads::start);
	}

	private void commitsOnAnInterruptedThread(Consumer<Runnable> thread) throws Exception {
		int backendsBefore = PostgresServer.backends(APP);
		// what a fork stopped inside a statement finds: its interrupt status set when it goes on to commit
		FutureTask<Void> task = new FutureTask<>(() -> {
			try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
				int pid = backendPid(statement);
				connection.setAutoCommit(false);
				statement.executeUpdate("INSERT INTO orders VALUES (44)");
				Savepoint savepoint = connection.setSavepoint();
				Thread.currentThread().interrupt();
				connection.releaseSavepoint(savepoint);
				connection.commit();
				assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept by commit()").isTrue();
				// what Spring's DataSourceUtils.resetConnectionAfterTransaction and a pool's validation do next
				connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
				connection.setReadOnly(false);
				connection.setAutoCommit(true);
				assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
				assertThat(connection.isValid(2)).as("valid while interrupted").isTrue();
				assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
				Thread.interrupted();
				assertThat(connection.isValid(2)).as("valid once the interrupt is cleared").isTrue();
				assertThat(selectOne(connection)).isEqualTo(1);
				assertThat(PostgresServer.backend(pid)).startsWith("idle:");
			}
			return null;
		});
		thread.accept(task);
		task.get(10, TimeUnit.SECONDS);
		try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
			try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM orders WHERE id = 44")) {
				rows.next();
				assertThat(rows.getInt(1)).as("committed").isEqualTo(1);
			}
			statement.executeUpdate("DELETE FROM orders WHERE id = 44");
		}
		assertThat(PostgresServer.backends(APP)).as("no connection lost to the interrupt").isEqualTo(backendsBefore);
		assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(4);
	}

	@Test
	void passedDeadlineFailsStatementBeforeExpiryFires() throws Exception {
		// a clock whose timers never fire: the deadline passes, and nothing but asking cancels the scope
		StalledTimerClock clock = new StalledTimerClock(Instant.parse("2026-01-01T00:00:00Z"));
		try (CancellableScope stalled = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
				CancellableScope scope = stalled.openChild(Duration.ofMillis(300))) {
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					int pid = backendPid(statement);
					clock.advance(Duration.ofMillis(300));
					assertThat(scope.remaining()).contains(Duration.ZERO);
					assertThatExceptionOfType(ScopeCancelledSQLException.class)
						.isThrownBy(() -> statement.executeQuery("SELECT 'past-deadline-marker'"))
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED))
						.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("57014"))
						.satisfies((ex) -> assertThat(ex.getSuppressed()).isEmpty())
						.satisfies((ex) -> assertThat(ScopeCancelledException.findIn(ex)).isNotNull()
							.extracting(ScopeCancelledException::reason)
							.isEqualTo(CancellationReason.DEADLINE_EXCEEDED));
					assertThat(PostgresServer.backend(pid)).as("never sent to the server")
						.doesNotContain("past-deadline-marker");
					assertThat(statement.getQueryTimeout()).as("query timeout untouched").isZero();
					assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
				}
				return null;
			});
		}
	}

	@Test
	void unwrapReachesDriverAndStatementsKnowTheirWrappedConnection() throws Exception {
		assertThat(dataSource.unwrap(HikariDataSource.class)).isSameAs(pool);
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT 1")) {
			assertThat(connection.unwrap(PGConnection.class)).isNotNull();
			assertThat(statement.isWrapperFor(PGStatement.class)).isTrue();
			assertThat(statement.unwrap(PGStatement.class)).isNotNull();
			assertThat(statement.getConnection()).isSameAs(connection);
			assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
		}
	}

	private static CompletableFuture<Void> cancelWhenRunning(CancellableScope scope, String marker) {
		return CompletableFuture.runAsync(() -> {
			await("query " + marker + " running on the server").atMost(HANG)
				.until(() -> PostgresServer.activeQueries(APP).stream().anyMatch((query) -> query.contains(marker)));
			scope.cancel(CancellationReason.CANCELLED);
		});
	}

	/**
	 * Asserts that the scope's cancellation interrupted the wait for a pooled connection: the pool's
	 * failure is its "interrupted" one, not its own connection timeout.
	 */
	private static void poolWaitWasInterrupted(ScopeCancelledSQLException ex) {
		assertThat(ex.getSuppressed()).as("the pool's failure").singleElement().satisfies((poolFailure) -> {
			assertThat(poolFailure).isNotInstanceOf(SQLTransientConnectionException.class);
			assertThat(poolFailure.getCause()).isInstanceOf(InterruptedException.class);
		});
	}

	private static int backendPid(Statement statement) throws SQLException {
		try (ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
			rows.next();
			return rows.getInt(1);
		}
	}

	private static int selectOne(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT 1")) {
			rows.next();
			return rows.getInt(1);
		}
	}

}
