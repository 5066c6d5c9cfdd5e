package io.github.cancelscope.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.TestThreads;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancels fired at random moments around the start and the end of statements on one PostgreSQL
 * connection: a cancel stops the statement it was meant for, is never lost, and never reaches the
 * next statement (pgjdbc issue 412).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatementCancelRacePostgresTests {

	private static final String APP = "cancelscope-core-race";

	private static final int RACES_AROUND_COMPLETION = 1000;

	private static final int RACES_AROUND_START = 300;

	/** How long each test goes on starting races; a slow machine runs fewer. */
	private static final Duration BUDGET = Duration.ofSeconds(15);

	private static HikariDataSource pool;

	private static CancellableDataSource dataSource;

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSystemClock();

	private final ExecutorService canceller = Executors
		.newSingleThreadExecutor(TestThreads.daemons("test-canceller-"));

	@BeforeAll
	static void createPool() {
		pool = PostgresServer.pool(APP, 1);
		dataSource = CancellableDataSource.wrap(pool);
	}

	@AfterAll
	static void closePool() {
		pool.close();
	}

	@AfterEach
	void stopCanceller() {
		this.canceller.shutdownNow();
	}

	@Test
	void cancelAroundCompletionNeverReachesNextStatement() throws Exception {
		int completed = 0;
		int cancelled = 0;
		int nextOk = 0;
		int nextHitByStrayCancel = 0;
		int nextFailedOtherwise = 0;
		long end = System.nanoTime() + BUDGET.toNanos();
		try (Connection connection = dataSource.getConnection();
				Statement first = connection.createStatement();
				Statement next = connection.createStatement()) {
			for (int i = 0; i < RACES_AROUND_COMPLETION && System.nanoTime() < end; i++) {
				CancellableScope scope = this.root.scope().openChild();
				// a cancel takes 1-3 ms to reach the server: these land before, around and after the 1 ms query ends
				Future<?> shot = fireAt(scope, System.nanoTime() + ThreadLocalRandom.current().nextLong(3_000_000));
				try {
					scope.call(() -> first.execute("SELECT pg_sleep(0.001)"));
					completed++;
				}
				catch (ScopeCancelledSQLException ex) {
					cancelled++;
				}
				try (CancellableScope nextScope = this.root.scope().openChild()) {
					nextScope.call(() -> next.execute("SELECT pg_sleep(0.001)"));
					nextOk++;
				}
				catch (SQLException ex) {
					if ("57014".equals(ex.getSQLState())) {
						nextHitByStrayCancel++;
					}
					else {
						nextFailedOtherwise++;
					}
				}
				shot.get();
				scope.close();
			}
		}
		assertThat(nextHitByStrayCancel).as("next statements hit by a cancel meant for the one before").isZero();
		assertThat(nextFailedOtherwise).isZero();
		assertThat(nextOk).isEqualTo(completed + cancelled);
		assertThat(completed).as("races where the statement won").isPositive();
		assertThat(cancelled).as("races where the cancel won").isPositive();
	}

	@Test
	void cancelJustBeforeDriverEntersQueryIsNotLost() throws Exception {
		long end = System.nanoTime() + BUDGET.toNanos();
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			for (int i = 0; i < RACES_AROUND_START && System.nanoTime() < end; i++) {
				CancellableScope scope = this.root.scope().openChild();
				long start = System.nanoTime() + 200_000;
				long cancelAt = start + ThreadLocalRandom.current().nextLong(60_000);
				Future<?> shot = fireAt(scope, cancelAt);
				while (System.nanoTime() < start) {
					Thread.onSpinWait();
				}
				try {
					scope.call(() -> statement.execute("SELECT pg_sleep(30)"));
					throw new AssertionError("pg_sleep(30) ended normally in a cancelled scope: its cancel was lost");
				}
				catch (ScopeCancelledSQLException ex) {
					// stopped, before it ran or while it ran
				}
				shot.get();
				scope.close();
			}
		}
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		assertThat(PostgresServer.activeQueries(APP)).isEmpty();
	}

	private Future<?> fireAt(CancellableScope scope, long atNanos) {
		return this.canceller.submit(() -> {
			while (System.nanoTime() < atNanos) {
				Thread.onSpinWait();
			}
			scope.cancel(CancellationReason.CANCELLED);
		});
	}

}
