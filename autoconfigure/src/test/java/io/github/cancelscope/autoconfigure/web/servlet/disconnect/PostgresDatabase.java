package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One embedded PostgreSQL for the test JVM, started on first use, and a monitoring connection.
 */
final class PostgresDatabase {

	private static EmbeddedPostgres server;

	private static Connection monitor;

	private PostgresDatabase() {
	}

	static synchronized String jdbcUrl() {
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
	 * What backend {@code pid} is doing: {@code active}, {@code idle}, ..., or {@code gone}.
	 */
	static synchronized String state(int pid) throws SQLException {
		if (monitor == null) {
			monitor = DriverManager.getConnection(jdbcUrl() + "&ApplicationName=monitor");
		}
		try (PreparedStatement statement = monitor
			.prepareStatement("SELECT state, query FROM pg_stat_activity WHERE pid = ?")) {
			statement.setInt(1, pid);
			try (ResultSet row = statement.executeQuery()) {
				return row.next() ? row.getString(1) + ": " + row.getString(2) : "gone";
			}
		}
	}

}
