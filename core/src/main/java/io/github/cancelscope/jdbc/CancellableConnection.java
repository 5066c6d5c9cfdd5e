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
 * Every method but the statement factories ({@code createStatement}, {@code prepareStatement},
 * {@code prepareCall}, whose statements guard their own executions) and the ones every proxy
 * answers itself ({@code unwrap}, {@code isWrapperFor}, {@code equals}, {@code hashCode},
 * {@code toString}) runs with the thread's interrupt status cleared, and set again afterwards. A
 * forked task stopped by its scope is interrupted when it leaves its statement, and on a virtual
 * thread an interrupt closes the connection's socket at its next blocking read or write: without
 * this, the {@code commit()}, rollback, {@code close()}, or the reset of isolation, read-only,
 * catalog and schema that follows (Spring's {@code DataSourceUtils.resetConnectionAfterTransaction},
 * the pool's own reset) would lose the transaction or break the connection instead of giving it
 * back clean. An interrupt that arrives while such a call runs is not covered: those calls are not
 * abortable regions.
 */
final class CancellableConnection extends JdbcProxy<Connection> {

	private final boolean queryTimeouts;

	private final AbortPolicy abortPolicy;

	private CancellableConnection(Connection delegate, boolean queryTimeouts, AbortPolicy abortPolicy) {
		super(delegate);
		this.queryTimeouts = queryTimeouts;
		this.abortPolicy = abortPolicy;
	}

	/**
	 * Wraps a connection.
	 * @param queryTimeouts whether statements also get the time left as their query timeout
	 * @param abortPolicy when a statement that does not return after its cancel gets the connection
	 * aborted
	 */
	static Connection wrap(Connection connection, boolean queryTimeouts, AbortPolicy abortPolicy) {
		return create(Connection.class, new CancellableConnection(connection, queryTimeouts, abortPolicy));
	}

	@Override
	@Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		return switch (method.getName()) {
			case "createStatement" -> CancellableStatement.wrap(Statement.class,
					(Statement) invokeDelegate(method, args), (Connection) proxy, this);
			case "prepareStatement" -> CancellableStatement.wrap(PreparedStatement.class,
					(PreparedStatement) invokeDelegate(method, args), (Connection) proxy, this);
			case "prepareCall" -> CancellableStatement.wrap(CallableStatement.class,
					(CallableStatement) invokeDelegate(method, args), (Connection) proxy, this);
			default -> invokeUninterrupted(method, args);
		};
	}

	boolean queryTimeouts() {
		return this.queryTimeouts;
	}

	AbortPolicy abortPolicy() {
		return this.abortPolicy;
	}

	/**
	 * Returns the connection this one wraps: the pool's, which a stuck statement gets aborted.
	 */
	Connection pooled() {
		return this.delegate;
	}

	private @Nullable Object invokeUninterrupted(Method method, @Nullable Object[] args) throws Throwable {
		if (!Thread.interrupted()) {
			return invokeDelegate(method, args);
		}
		try {
			return invokeDelegate(method, args);
		}
		finally {
			Thread.currentThread().interrupt();
		}
	}

}
