package io.github.cancelscope.benchmarks.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.jdbc.CancellableDataSource;
import io.github.cancelscope.spi.ScopeSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the DataSource decoration adds to a trivial query ({@code SELECT 1} on PostgreSQL, a
 * connection borrowed from and returned to a Hikari pool each time): the pool alone, the decorated
 * pool outside any scope, and the decorated pool inside a scope with a deadline (the statement then
 * gets a query timeout and runs in an abortable region).
 * <p>
 * {@code java -jar benchmarks/target/benchmarks.jar SelectOneBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class SelectOneBenchmark {

	private Postgres postgres;

	private DataSource decorated;

	private CancellableScope application;

	private CancellableScope request;

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		this.postgres = Postgres.start(2);
		this.decorated = CancellableDataSource.wrap(this.postgres.pool());
		this.application = CancellableScope.root(ScopeSettings.defaults());
		this.request = this.application.openChild(java.time.Duration.ofHours(1));
	}

	@TearDown(Level.Trial)
	public void tearDown() throws IOException {
		this.request.close();
		this.application.close();
		this.postgres.close();
	}

	@Benchmark
	public int pool() throws SQLException {
		return selectOne(this.postgres.pool());
	}

	@Benchmark
	public int decoratedOutsideScope() throws SQLException {
		return selectOne(this.decorated);
	}

	@Benchmark
	public int decoratedInScope() throws SQLException {
		return this.request.call(() -> selectOne(this.decorated));
	}

	@Benchmark
	public int poolInScope() throws SQLException {
		return this.request.call(() -> selectOne(this.postgres.pool()));
	}

	/**
	 * The pool alone, with a query timeout on the statement: what pgjdbc's own timeout costs, without
	 * cancelscope (the decoration sets one only with {@code withDriverQueryTimeout(true)}).
	 */
	@Benchmark
	public int poolWithQueryTimeout() throws SQLException {
		try (Connection connection = this.postgres.pool().getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT 1")) {
			statement.setQueryTimeout(3600);
			return selectOne(statement);
		}
	}

	private static int selectOne(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT 1")) {
			return selectOne(statement);
		}
	}

	/**
	 * Executes {@code statement} and reads the one integer it selects.
	 */
	static int selectOne(PreparedStatement statement) throws SQLException {
		try (ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getInt(1);
		}
	}

}
