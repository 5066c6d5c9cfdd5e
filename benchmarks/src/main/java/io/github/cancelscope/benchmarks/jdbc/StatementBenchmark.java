package io.github.cancelscope.benchmarks.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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
 * What the decoration adds to one statement on a connection already held, as in a transaction or a
 * page that runs many small statements: prepare, bind, execute, read a row, close, on an in-memory
 * H2 database (a statement of about a microsecond, so the decoration's own cost shows). The
 * undecorated connection, the decorated one outside any scope, and the decorated one in a scope
 * with a deadline (the statement then runs in an abortable region).
 * <p>
 * {@code java -jar benchmarks/target/benchmarks.jar StatementBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class StatementBenchmark {

	private HikariDataSource pool;

	private Connection plain;

	private Connection decorated;

	private CancellableScope application;

	private CancellableScope request;

	@Setup(Level.Trial)
	public void setUp() throws SQLException {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl("jdbc:h2:mem:statements;DB_CLOSE_DELAY=-1");
		config.setMaximumPoolSize(2);
		this.pool = new HikariDataSource(config);
		this.plain = this.pool.getConnection();
		this.decorated = CancellableDataSource.wrap(this.pool).getConnection();
		this.application = CancellableScope.root(ScopeSettings.defaults());
		this.request = this.application.openChild(Duration.ofHours(1));
	}

	@TearDown(Level.Trial)
	public void tearDown() throws SQLException {
		this.request.close();
		this.application.close();
		this.decorated.close();
		this.plain.close();
		this.pool.close();
	}

	@Benchmark
	public int plain() throws SQLException {
		return select(this.plain);
	}

	@Benchmark
	public int decoratedOutsideScope() throws SQLException {
		return select(this.decorated);
	}

	@Benchmark
	public int plainInScope() throws SQLException {
		return this.request.call(() -> select(this.plain));
	}

	@Benchmark
	public int decoratedInScope() throws SQLException {
		return this.request.call(() -> select(this.decorated));
	}

	private static int select(Connection connection) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT ?")) {
			statement.setInt(1, 1);
			return SelectOneBenchmark.selectOne(statement);
		}
	}

}
