package io.github.cancelscope.jdbc;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * A connection whose statements are {@linkplain CancellableStatement cancelled with their scope}.
 * <p>
 * Every method but the statement factories ({@code createStatement}, {@code prepareStatement},
 * {@code prepareCall}, whose statements guard their own executions) and {@code unwrap} and
 * {@code isWrapperFor} runs with the thread's interrupt status cleared, and set again afterwards
 * ({@link Uninterrupted}). A forked task stopped by its scope is interrupted when it leaves its
 * statement, and on a virtual thread an interrupt closes the connection's socket at its next
 * blocking read or write: without this, the {@code commit()}, rollback, {@code close()}, or the
 * reset of isolation, read-only, catalog and schema that follows (Spring's
 * {@code DataSourceUtils.resetConnectionAfterTransaction}, the pool's own reset) would lose the
 * transaction or break the connection instead of giving it back clean. An interrupt that arrives
 * while such a call runs is not covered: those calls are not abortable regions.
 * <p>
 * The JDBC types are decorated by plain delegating classes rather than JDK proxies: a proxy's
 * reflective call and argument array per JDBC call were the largest part of what the decoration
 * cost a page of small statements.
 */
final class CancellableConnection extends JdbcDelegate<Connection> implements Connection {

	private final boolean queryTimeouts;

	private final AbortPolicy abortPolicy;

	/**
	 * Wraps a connection.
	 * @param queryTimeouts whether statements also get the time left as their driver's query timeout
	 * @param abortPolicy when a statement that does not return after its cancel gets the connection
	 * aborted
	 */
	CancellableConnection(Connection delegate, boolean queryTimeouts, AbortPolicy abortPolicy) {
		super(delegate);
		this.queryTimeouts = queryTimeouts;
		this.abortPolicy = abortPolicy;
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

	@Override
	public Statement createStatement() throws SQLException {
		return new CancellableStatement<>(this.delegate.createStatement(), this);
	}

	@Override
	public PreparedStatement prepareStatement(String sql) throws SQLException {
		return new CancellablePreparedStatement<>(this.delegate.prepareStatement(sql), this);
	}

	@Override
	public CallableStatement prepareCall(String sql) throws SQLException {
		return new CancellableCallableStatement(this.delegate.prepareCall(sql), this);
	}

	@Override
	public String nativeSQL(String sql) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.nativeSQL(sql));
	}

	@Override
	public void setAutoCommit(boolean autoCommit) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setAutoCommit(autoCommit));
	}

	@Override
	public boolean getAutoCommit() throws SQLException {
		return Uninterrupted.call(this.delegate::getAutoCommit);
	}

	@Override
	public void commit() throws SQLException {
		Uninterrupted.run(this.delegate::commit);
	}

	@Override
	public void rollback() throws SQLException {
		Uninterrupted.run(this.delegate::rollback);
	}

	@Override
	public void close() throws SQLException {
		Uninterrupted.run(this.delegate::close);
	}

	@Override
	public boolean isClosed() throws SQLException {
		return Uninterrupted.call(this.delegate::isClosed);
	}

	@Override
	public DatabaseMetaData getMetaData() throws SQLException {
		return Uninterrupted.call(this.delegate::getMetaData);
	}

	@Override
	public void setReadOnly(boolean readOnly) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setReadOnly(readOnly));
	}

	@Override
	public boolean isReadOnly() throws SQLException {
		return Uninterrupted.call(this.delegate::isReadOnly);
	}

	@Override
	public void setCatalog(String catalog) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setCatalog(catalog));
	}

	@Override
	public String getCatalog() throws SQLException {
		return Uninterrupted.call(this.delegate::getCatalog);
	}

	@Override
	public void setTransactionIsolation(int level) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setTransactionIsolation(level));
	}

	@Override
	public int getTransactionIsolation() throws SQLException {
		return Uninterrupted.call(this.delegate::getTransactionIsolation);
	}

	@Override
	public SQLWarning getWarnings() throws SQLException {
		return Uninterrupted.call(this.delegate::getWarnings);
	}

	@Override
	public void clearWarnings() throws SQLException {
		Uninterrupted.run(this.delegate::clearWarnings);
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
		return new CancellableStatement<>(this.delegate.createStatement(resultSetType, resultSetConcurrency), this);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType,
			int resultSetConcurrency) throws SQLException {
		return new CancellablePreparedStatement<>(this.delegate.prepareStatement(sql, resultSetType,
				resultSetConcurrency), this);
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
		return new CancellableCallableStatement(this.delegate.prepareCall(sql, resultSetType, resultSetConcurrency),
				this);
	}

	@Override
	public Map<String, Class<?>> getTypeMap() throws SQLException {
		return Uninterrupted.call(this.delegate::getTypeMap);
	}

	@Override
	public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setTypeMap(map));
	}

	@Override
	public void setHoldability(int holdability) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setHoldability(holdability));
	}

	@Override
	public int getHoldability() throws SQLException {
		return Uninterrupted.call(this.delegate::getHoldability);
	}

	@Override
	public Savepoint setSavepoint() throws SQLException {
		return Uninterrupted.call(this.delegate::setSavepoint);
	}

	@Override
	public Savepoint setSavepoint(String name) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.setSavepoint(name));
	}

	@Override
	public void rollback(Savepoint savepoint) throws SQLException {
		Uninterrupted.run(() -> this.delegate.rollback(savepoint));
	}

	@Override
	public void releaseSavepoint(Savepoint savepoint) throws SQLException {
		Uninterrupted.run(() -> this.delegate.releaseSavepoint(savepoint));
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency,
			int resultSetHoldability) throws SQLException {
		return new CancellableStatement<>(this.delegate.createStatement(resultSetType, resultSetConcurrency,
				resultSetHoldability), this);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
			int resultSetHoldability) throws SQLException {
		return new CancellablePreparedStatement<>(this.delegate.prepareStatement(sql, resultSetType,
				resultSetConcurrency, resultSetHoldability), this);
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
			int resultSetHoldability) throws SQLException {
		return new CancellableCallableStatement(this.delegate.prepareCall(sql, resultSetType, resultSetConcurrency,
				resultSetHoldability), this);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
		return new CancellablePreparedStatement<>(this.delegate.prepareStatement(sql, autoGeneratedKeys), this);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
		return new CancellablePreparedStatement<>(this.delegate.prepareStatement(sql, columnIndexes), this);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
		return new CancellablePreparedStatement<>(this.delegate.prepareStatement(sql, columnNames), this);
	}

	@Override
	public Clob createClob() throws SQLException {
		return Uninterrupted.call(this.delegate::createClob);
	}

	@Override
	public Blob createBlob() throws SQLException {
		return Uninterrupted.call(this.delegate::createBlob);
	}

	@Override
	public NClob createNClob() throws SQLException {
		return Uninterrupted.call(this.delegate::createNClob);
	}

	@Override
	public SQLXML createSQLXML() throws SQLException {
		return Uninterrupted.call(this.delegate::createSQLXML);
	}

	@Override
	public boolean isValid(int timeout) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.isValid(timeout));
	}

	@Override
	public void setClientInfo(String name, String value) throws SQLClientInfoException {
		Uninterrupted.run(() -> this.delegate.setClientInfo(name, value));
	}

	@Override
	public void setClientInfo(Properties properties) throws SQLClientInfoException {
		Uninterrupted.run(() -> this.delegate.setClientInfo(properties));
	}

	@Override
	public String getClientInfo(String name) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.getClientInfo(name));
	}

	@Override
	public Properties getClientInfo() throws SQLException {
		return Uninterrupted.call(this.delegate::getClientInfo);
	}

	@Override
	public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.createArrayOf(typeName, elements));
	}

	@Override
	public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.createStruct(typeName, attributes));
	}

	@Override
	public void setSchema(String schema) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setSchema(schema));
	}

	@Override
	public String getSchema() throws SQLException {
		return Uninterrupted.call(this.delegate::getSchema);
	}

	@Override
	public void abort(Executor executor) throws SQLException {
		Uninterrupted.run(() -> this.delegate.abort(executor));
	}

	@Override
	public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setNetworkTimeout(executor, milliseconds));
	}

	@Override
	public int getNetworkTimeout() throws SQLException {
		return Uninterrupted.call(this.delegate::getNetworkTimeout);
	}

	@Override
	public void beginRequest() throws SQLException {
		Uninterrupted.run(this.delegate::beginRequest);
	}

	@Override
	public void endRequest() throws SQLException {
		Uninterrupted.run(this.delegate::endRequest);
	}

	@Override
	public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey,
			int timeout) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.setShardingKeyIfValid(shardingKey, superShardingKey, timeout));
	}

	@Override
	public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
		return Uninterrupted.call(() -> this.delegate.setShardingKeyIfValid(shardingKey, timeout));
	}

	@Override
	public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setShardingKey(shardingKey, superShardingKey));
	}

	@Override
	public void setShardingKey(ShardingKey shardingKey) throws SQLException {
		Uninterrupted.run(() -> this.delegate.setShardingKey(shardingKey));
	}
}
