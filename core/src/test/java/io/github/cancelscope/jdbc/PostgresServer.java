package io.github.cancelscope.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One embedded PostgreSQL for the whole test JVM, started on first use, and a monitoring connection
 * to look at what the server is doing.
 */
final class PostgresServer {

	private static final EmbeddedPostgres server = start();

	private static Connection monitor;

	private PostgresServer() {
	}

	private static EmbeddedPostgres start() {
		try {
			return EmbeddedPostgres.builder().start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static String jdbcUrl() {
		return server.getJdbcUrl("postgres", "postgres");
	}

	/**
	 * Creates a Hikari pool whose connections carry {@code applicationName} in
	 * {@code pg_stat_activity}.
	 */
	static HikariDataSource pool(String applicationName, int size) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(jdbcUrl());
		config.setUsername("postgres");
		config.setPoolName(applicationName);
		config.setMaximumPoolSize(size);
		config.setMinimumIdle(size);
		config.setConnectionTimeout(10_000);
		config.addDataSourceProperty("ApplicationName", applicationName);
		return new HikariDataSource(config);
	}

	/**
	 * Returns the queries that the server is running for connections of {@code applicationName}.
	 */
	static synchronized List<String> activeQueries(String applicationName) throws SQLException {
		return strings("SELECT query FROM pg_stat_activity WHERE application_name = ? AND state = 'active'",
				applicationName);
	}

	/**
	 * Returns the state and last query of a backend, as {@code "state: query"}.
	 */
	static synchronized String backend(int pid) throws SQLException {
		List<String> rows = strings("SELECT state || ': ' || query FROM pg_stat_activity WHERE pid = ?", pid);
		return rows.isEmpty() ? "gone" : rows.get(0);
	}

	/**
	 * Returns how many backends serve connections of {@code applicationName}.
	 */
	static synchronized int backends(String applicationName) throws SQLException {
		return strings("SELECT pid::text FROM pg_stat_activity WHERE application_name = ?", applicationName).size();
	}

	private static List<String> strings(String sql, Object parameter) throws SQLException {
		if (monitor == null) {
			monitor = DriverManager.getConnection(jdbcUrl() + "&ApplicationName=monitor");
		}
		try (PreparedStatement statement = monitor.prepareStatement(sql)) {
			statement.setObject(1, parameter);
			try (ResultSet rows = statement.executeQuery()) {
				List<String> result = new ArrayList<>();
				while (rows.next()) {
					result.add(rows.getString(1));
				}
				return result;
			}
		}
	}

}
