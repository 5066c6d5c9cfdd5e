package io.github.cancelscope.autoconfigure.jdbc;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The zombie-query and deadline cases on H2, whose {@code SUM} over a large range stops on
 * {@code Statement.cancel()} (and would run for about 35 s otherwise).
 * <p>
 * H2 runs a query on the calling thread, busy on the CPU, and on Java 21 and later forks are virtual
 * threads, which a busy loop never gives up: as many slow H2 forks as carrier threads (one per core) would leave no
 * carrier for the failing sibling, the deadline timer or the cancel, and nothing would be cancelled
 * until a query ends. So the fan-out here leaves one carrier free.
 */
@SpringBootTest(classes = JdbcTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "test.slow-query=SELECT SUM(X) FROM SYSTEM_RANGE(1, 400000000)",
				"spring.datasource.url=" + H2JdbcIntegrationTests.URL, "spring.datasource.hikari.maximum-pool-size=4",
				"test.zombie-queries=#{T(java.lang.Math).max(1, T(java.lang.Runtime).getRuntime().availableProcessors() - 1)}" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class H2JdbcIntegrationTests {

	static final String URL = "jdbc:h2:mem:cancelscope-it;DB_CLOSE_DELAY=-1";

	/**
	 * Far less than the 35 s the slow query runs for unless cancelled, far more than a busy machine
	 * needs to cancel it.
	 */
	private static final Duration LONG_BEFORE_THE_QUERY_ENDS = Duration.ofSeconds(10);

	@LocalServerPort
	private int port;

	@Autowired
	private DataSource dataSource;

	@Autowired
	private JdbcTemplate jdbc;

	private HttpCalls http;

	@BeforeEach
	void setUp() throws Exception {
		this.http = new HttpCalls(this.port);
		this.jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id int)");
		assertThat(this.http.get("/count?id=0").statusCode()).as("warm-up request").isEqualTo(200);
	}

	@AfterEach
	void nothingLeftRunning() throws SQLException {
		assertThat(runningSlowQueries()).isZero();
		assertThat(activeConnections()).isZero();
	}

	@Test
	void failedRequestStopsItsQueriesAndGivesConnectionsBack() throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.get("/zombie");
		Duration elapsed = JdbcTestApplication.elapsedSince(start);
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(elapsed).as("answered once the queries were cancelled").isLessThan(LONG_BEFORE_THE_QUERY_ENDS);
		await("no query of the application running and every connection back in the pool")
			.atMost(LONG_BEFORE_THE_QUERY_ENDS)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> runningSlowQueries() == 0 && activeConnections() == 0);
	}

	@Test
	void scopedDeadlineEndsQueryWithDeadlineExceeded() throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.get("/deadline");
		Duration elapsed = JdbcTestApplication.elapsedSince(start);
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(response.body()).contains("DEADLINE_EXCEEDED");
		assertThat(elapsed).as("answered at the 300 ms deadline, once the query was cancelled")
			.isLessThan(LONG_BEFORE_THE_QUERY_ENDS);
	}

	private static int runningSlowQueries() throws SQLException {
		try (Connection connection = DriverManager.getConnection(URL, "sa", "");
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS "
						+ "WHERE EXECUTING_STATEMENT LIKE '%SUM(X)%' AND SESSION_ID <> SESSION_ID()")) {
			rows.next();
			return rows.getInt(1);
		}
	}

	private int activeConnections() throws SQLException {
		return this.dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().getActiveConnections();
	}

}
