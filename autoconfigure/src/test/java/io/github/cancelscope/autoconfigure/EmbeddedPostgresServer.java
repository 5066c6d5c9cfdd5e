package io.github.cancelscope.autoconfigure;

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
 * of its own to look at what the server is doing.
 */
public final class EmbeddedPostgresServer {

	private static EmbeddedPostgres server;

	private static Connection monitor;

	private EmbeddedPostgresServer() {
	}

	/**
	 * Returns the JDBC URL of the server, starting it if need be.
	 */
	public static synchronized String jdbcUrl() {
		if (server == null) {
			try {
				server = EmbeddedPostgres.builder().start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return server.getJdbcUrl("postgres", "postgres");
	}

	/**
	 * Points {@code spring.datasource} at the server, with connections named
	 * {@code applicationName} in {@code pg_stat_activity}.
	 */
	public static void register(DynamicPropertyRegistry registry, String applicationName) {
		registry.add("spring.datasource.url", EmbeddedPostgresServer::jdbcUrl);
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.hikari.data-source-properties.ApplicationName", () -> applicationName);
	}

	/**
	 * Returns the queries that the server is running for connections of {@code applicationName}.
	 */
	public static synchronized List<String> activeQueries(String applicationName) throws SQLException {
		try (PreparedStatement statement = monitor()
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

	/**
	 * Returns what backend {@code pid} is doing: {@code active: <query>}, {@code idle: <query>}, ...,
	 * or {@code gone}.
	 */
	public static synchronized String state(int pid) throws SQLException {
		try (PreparedStatement statement = monitor()
			.prepareStatement("SELECT state, query FROM pg_stat_activity WHERE pid = ?")) {
			statement.setInt(1, pid);
			try (ResultSet row = statement.executeQuery()) {
				return row.next() ? row.getString(1) + ": " + row.getString(2) : "gone";
			}
		}
	}

	private static Connection monitor() throws SQLException {
		if (monitor == null) {
			monitor = DriverManager.getConnection(jdbcUrl() + "&ApplicationName=monitor");
		}
		return monitor;
	}

}
