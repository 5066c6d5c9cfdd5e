package io.github.cancelscope.autoconfigure.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.github.cancelscope.jdbc.CancellableDataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A {@code DataSource} bean decorated by cancelscope: connections come from a
 * {@link CancellableDataSource} around the original bean, everything else, {@code unwrap} included,
 * goes to the original bean.
 */
final class ScopedDataSource extends DelegatingDataSource {

	private final CancellableDataSource cancellable;

	ScopedDataSource(DataSource target, JdbcEscalation escalation) {
		super(target);
		this.cancellable = CancellableDataSource.wrap(target)
			.withAbortAfter(escalation.abortAfter())
			.withAbortListener(escalation.listener())
			.withDriverQueryTimeout(escalation.driverQueryTimeout());
	}

	@Override
	public Connection getConnection() throws SQLException {
		return this.cancellable.getConnection();
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return this.cancellable.getConnection(username, password);
	}

	CancellableDataSource cancellable() {
		return this.cancellable;
	}

	@Override
	public String toString() {
		return "ScopedDataSource[" + obtainTargetDataSource() + "]";
	}

}
