package io.github.cancelscope.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Cancels whatever query a PostgreSQL JDBC (pgjdbc) connection is running, through its public
 * {@code org.postgresql.PGConnection.cancelQuery()}, found reflectively so that pgjdbc stays
 * optional.
 * <p>
 * Needed because pgjdbc's {@code PgStatement.cancel()} can lose a cancel for good: called after the
 * statement is {@code IN_QUERY} but before the query has reached the server, it sends a cancel
 * that the idle backend ignores, marks the statement {@code CANCELLED}, and from then on ignores
 * every further {@code cancel()} and its own query timeout until the query ends by itself.
 * {@code cancelQuery()} does not look at the statement's state.
 */
final class PgConnectionCancel {

	private static final ClassValue<Optional<Method>> cancelQueryMethods = new ClassValue<>() {

		@Override
		protected Optional<Method> computeValue(Class<?> type) {
			return Optional.ofNullable(cancelQueryOf(type));
		}

	};

	private PgConnectionCancel() {
	}

	/**
	 * Sends a query cancel on the connection of {@code statement}, if it is a pgjdbc connection.
	 * @return {@code false} if it is not, so nothing was sent
	 */
	static boolean cancelQuery(Statement statement) throws SQLException {
		Connection connection = statement.getConnection().unwrap(Connection.class);
		Optional<Method> cancelQuery = cancelQueryMethods.get(connection.getClass());
		if (cancelQuery.isEmpty()) {
			return false;
		}
		try {
			cancelQuery.get().invoke(connection);
			return true;
		}
		catch (InvocationTargetException ex) {
			if (ex.getCause() instanceof SQLException sql) {
				throw sql;
			}
			throw new SQLException("PGConnection.cancelQuery() failed", ex.getCause());
		}
		catch (IllegalAccessException ex) {
			return false;
		}
	}

	private static @Nullable Method cancelQueryOf(Class<?> type) {
		for (Class<?> c = type; c != null; c = c.getSuperclass()) {
			for (Class<?> candidate : c.getInterfaces()) {
				Method method = cancelQueryOfInterface(candidate);
				if (method != null) {
					return method;
				}
			}
		}
		return null;
	}

	private static @Nullable Method cancelQueryOfInterface(Class<?> type) {
		if (type.getName().equals("org.postgresql.PGConnection")) {
			try {
				return type.getMethod("cancelQuery");
			}
			catch (NoSuchMethodException ex) {
				return null;
			}
		}
		for (Class<?> parent : type.getInterfaces()) {
			Method method = cancelQueryOfInterface(parent);
			if (method != null) {
				return method;
			}
		}
		return null;
	}

}
