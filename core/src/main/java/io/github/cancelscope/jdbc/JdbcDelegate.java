package io.github.cancelscope.jdbc;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * A decorated JDBC object: what every one answers itself. {@code unwrap} and {@code isWrapperFor}
 * reach the driver's or the pool's own object, so code that needs a vendor interface still gets it;
 * {@code equals} and {@code hashCode} are identity.
 *
 * @param <T> the JDBC type wrapped
 */
abstract class JdbcDelegate<T extends Wrapper> implements Wrapper {

	final T delegate;

	JdbcDelegate(T delegate) {
		this.delegate = delegate;
	}

	@Override
	public <W> W unwrap(Class<W> type) throws SQLException {
		return type.isInstance(this) ? type.cast(this) : this.delegate.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return type.isInstance(this) || this.delegate.isWrapperFor(type);
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.delegate + "]";
	}

}
