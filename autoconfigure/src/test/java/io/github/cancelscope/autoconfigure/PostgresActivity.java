package io.github.cancelscope.autoconfigure;

import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import static org.awaitility.Awaitility.await;

/**
 * What the {@link EmbeddedPostgresServer} runs for an application and what its Hikari pool holds,
 * waited for with a bound that only a hang misses.
 */
public final class PostgresActivity {

	/** Far less than the 30 s a slow test query sleeps unless cancelled, far more than a cancel needs. */
	public static final Duration PATIENCE = Duration.ofSeconds(10);

	private PostgresActivity() {
	}

	/**
	 * Waits until the server runs {@code count} queries for connections named {@code application}.
	 */
	public static void awaitRunning(String application, int count) {
		await("%d queries of %s running on the server".formatted(count, application)).atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> EmbeddedPostgresServer.activeQueries(application).size() == count);
	}

	/**
	 * Waits until the server runs no query for {@code application} and every connection of the pool
	 * behind {@code dataSource} is back.
	 */
	public static void awaitNothingRunning(String application, DataSource dataSource) {
		await("no query of %s running on the server and every connection back in the pool".formatted(application))
			.atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> EmbeddedPostgresServer.activeQueries(application).isEmpty()
					&& activeConnections(dataSource) == 0);
	}

	/**
	 * Returns how many connections of the Hikari pool behind {@code dataSource} are in use.
	 */
	public static int activeConnections(DataSource dataSource) throws SQLException {
		return dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().getActiveConnections();
	}

}
