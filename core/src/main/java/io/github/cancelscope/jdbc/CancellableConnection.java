package io.github.cancelscope.jdbc;

import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

import org.jspecify.annotations.Nullable;

/**
 * A connection whose statements are {@linkplain CancellableStatement cancelled with their scope}.
 * <p>
 * Closing, rolling back and resetting auto-commit run with the thread's interrupt status cleared
 * and set again afterwards: a forked task stopped by its scope is interrupted when it leaves its
 * statement, and on a virtual thread an interrupt closes the connection's socket, so without this
 * the cleanup that gives the connection back clean would break it instead.
 */
final class CancellableConnection extends JdbcProxy<Connection> {

	private CancellableConnection(Connection delegate) {
		super(delegate);
	}

	static Connection wrap(Connection connection) {
		return create(Connection.class, new CancellableConnection(connection));
	}

	@Override
	@Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		return switch (method.getName()) {
			case "createStatement" -> CancellableStatement.wrap(Statement.class,
					(Statement) invokeDelegate(method, args), (Connection) proxy);
			case "prepareStatement" -> CancellableStatement.wrap(PreparedStatement.class,
					(PreparedStatement) invokeDelegate(method, args), (Connection) proxy);
			case "prepareCall" -> CancellableStatement.wrap(CallableStatement.class,
					(CallableStatement) invokeDelegate(method, args), (Connection) proxy);
			case "close", "rollback", "setAutoCommit" -> invokeUninterrupted(method, args);
			default -> invokeDelegate(method, args);
		};
	}

	private @Nullable Object invokeUninterrupted(Method method, @Nullable Object[] args) throws Throwable {
		boolean interrupted = Thread.interrupted();
		try {
			return invokeDelegate(method, args);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
