package io.github.cancelscope.sample.zombie;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Queries that take a given time on the server, and that the server stops when the statement is
 * cancelled: {@code pg_sleep} on PostgreSQL, a large {@code SUM} over {@code SYSTEM_RANGE} on H2
 * (about 90 ns a row; H2's sleep functions ignore cancellation, so they would not show anything).
 */
@Component
public class SlowQueries {

	private static final long H2_ROWS_PER_SECOND = 11_000_000;

	private final JdbcTemplate jdbc;

	private final boolean postgres;

	SlowQueries(JdbcTemplate jdbc, DataSource dataSource) throws SQLException {
		this.jdbc = jdbc;
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			this.postgres = metaData.getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
		}
	}

	/**
	 * Runs a query that takes about {@code duration} on the server.
	 */
	public void run(Duration duration) {
		if (this.postgres) {
			this.jdbc.queryForObject("SELECT pg_sleep(?) IS NULL /* cancelscope-sample slow */", Boolean.class,
					duration.toMillis() / 1000.0);
		}
		else {
			this.jdbc.queryForObject("SELECT SUM(X) FROM SYSTEM_RANGE(1, ?)", Long.class,
					Math.max(1, duration.toMillis() * H2_ROWS_PER_SECOND / 1000));
		}
	}

	/**
	 * Counts the application's queries executing on the server now, this one excluded.
	 */
	public int active() {
		if (this.postgres) {
			return this.jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
					+ " AND query LIKE '%cancelscope-sample slow%' AND pid <> pg_backend_pid()", Integer.class);
		}
		return this.jdbc.queryForObject("SELECT count(*) FROM INFORMATION_SCHEMA.SESSIONS"
				+ " WHERE EXECUTING_STATEMENT LIKE '%SYSTEM_RANGE%' AND SESSION_ID <> SESSION_ID()", Integer.class);
	}

}
