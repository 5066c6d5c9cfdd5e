package io.github.cancelscope.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link CancellableDataSource} on H2, which runs a query on the calling thread: a {@code SUM} over
 * a large range stops on {@code Statement.cancel()}, never on an interrupt.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CancellableDataSourceH2Tests {

	private static final String SLOW_QUERY = "SELECT SUM(X) FROM SYSTEM_RANGE(1, 400000000)";

	private static HikariDataSource pool;

	private static CancellableDataSource dataSource;

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSystemClock();

	@BeforeAll
	static void createPool() {
		pool = new HikariDataSource();
		pool.setJdbcUrl("jdbc:h2:mem:cancellable;DB_CLOSE_DELAY=-1");
		pool.setUsername("sa");
		pool.setMaximumPoolSize(2);
		dataSource = CancellableDataSource.wrap(pool);
	}

	@AfterAll
	static void closePool() {
		pool.close();
	}

	@AfterEach
	void poolIsIdle() {
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void deadlineStopsTheRunningQueryAndLeavesTheConnectionUsable() throws Exception {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			for (int i = 0; i < 3; i++) {
				try (CancellableScope scope = this.root.scope().openChild(Duration.ofMillis(300))) {
					scope.call(() -> assertThatExceptionOfType(ScopeCancelledSQLException.class)
						.isThrownBy(() -> statement.executeQuery(SLOW_QUERY))
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED))
						.satisfies((ex) -> assertThat(ex.getSuppressed()).as("the driver's own cancellation")
							.singleElement()
							.satisfies((driver) -> assertThat(((SQLException) driver).getSQLState())
								.isEqualTo(ScopeCancelledSQLException.SQL_STATE))));
				}
				assertThat(selectOne(statement)).as("connection usable after the cancel").isEqualTo(1);
			}
		}
	}

	@Test
	void inProcessDatabaseGetsNoDriverQueryTimeoutEvenWhenAskedItsCancelAlwaysReaches() throws Exception {
		CancellableDataSource backstopped = dataSource.withDriverQueryTimeout(true);
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(30))) {
			// the session's timeout as the statement itself runs: what a backstop timeout would have set
			String timeout = scope.call(() -> {
				try (Connection connection = backstopped.getConnection();
						Statement statement = connection.createStatement();
						ResultSet result = statement.executeQuery(
								"SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_TIMEOUT'")) {
					result.next();
					return result.getString(1);
				}
			});
			assertThat(timeout).isEqualTo("0");
		}
	}

	@Test
	void cancelledScopeFailsStatementWithoutRunningIt() throws Exception {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.call(() -> {
				try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
					scope.cancel(CancellationReason.SHUTDOWN);
					assertThatExceptionOfType(ScopeCancelledSQLException.class)
						.isThrownBy(() -> statement.executeQuery(SLOW_QUERY))
						.withMessageStartingWith("Statement not run")
						.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.SHUTDOWN))
						.satisfies((ex) -> assertThat(ex.getSuppressed()).as("no driver failure: the query never ran")
							.isEmpty());
				}
				return null;
			});
		}
	}

	private static int selectOne(Statement statement) throws SQLException {
		try (ResultSet rows = statement.executeQuery("SELECT 1")) {
			rows.next();
			return rows.getInt(1);
		}
	}

}
