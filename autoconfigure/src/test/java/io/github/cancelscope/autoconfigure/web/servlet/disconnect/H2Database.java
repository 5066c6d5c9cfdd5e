package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A monitoring connection to the test application's in-memory H2 database.
 */
final class H2Database {

	private static Connection monitor;

	private H2Database() {
	}

	/**
	 * What session {@code id} is executing, {@code idle} if nothing, or {@code gone}.
	 */
	static synchronized String state(int id) throws SQLException {
		if (monitor == null) {
			monitor = DriverManager.getConnection(DisconnectTestApplication.H2_URL);
		}
		try (PreparedStatement statement = monitor
			.prepareStatement("SELECT EXECUTING_STATEMENT FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ?")) {
			statement.setInt(1, id);
			try (ResultSet row = statement.executeQuery()) {
				if (!row.next()) {
					return "gone";
				}
				String executing = row.getString(1);
				return (executing != null) ? "active: " + executing : "idle";
			}
		}
	}

}
