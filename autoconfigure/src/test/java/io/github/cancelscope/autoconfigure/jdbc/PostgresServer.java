package io.github.cancelscope.autoconfigure.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.springframework.test.context.DynamicPropertyRegistry;

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

	/**
	 * Points {@code spring.datasource} at the server, with connections named
	 * {@code applicationName} in {@code pg_stat_activity}.
	 */
	static void register(DynamicPropertyRegistry registry, String applicationName) {
		registry.add("spring.datasource.url", () -> server.getJdbcUrl("postgres", "postgres"));
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.hikari.data-source-properties.ApplicationName", () -> applicationName);
	}

	/**
	 * Returns the queries that the server is running for connections of {@code applicationName}.
	 */
	static synchronized List<String> activeQueries(String applicationName) throws SQLException {
		if (monitor == null) {
			monitor = DriverManager.getConnection(server.getJdbcUrl("postgres", "postgres") + "&ApplicationName=monitor");
		}
		try (PreparedStatement statement = monitor
			.prepareStatement("SELECT query FROM pg_stat_activity WHERE application_name = ? AND state = 'active'")) {
			statement.setString(1, applicationName);
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
