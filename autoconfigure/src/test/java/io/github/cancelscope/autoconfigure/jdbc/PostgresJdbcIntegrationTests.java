package io.github.cancelscope.autoconfigure.jdbc;

import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter on a real Tomcat and a real PostgreSQL: cancelled requests stop their queries on the
 * server and give their connections back.
 */
@SpringBootTest(classes = JdbcTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "test.slow-query=SELECT pg_sleep(30)", "spring.datasource.hikari.maximum-pool-size=4" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PostgresJdbcIntegrationTests {

	private static final String APP = "cancelscope-it";

	/**
	 * Far less than the 30 s the slow query sleeps unless cancelled, far more than a busy machine
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

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		EmbeddedPostgresServer.register(registry, APP);
	}

	@BeforeEach
	void setUp() throws Exception {
		this.http = new HttpCalls(this.port);
		this.jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id int)");
		assertThat(this.http.get("/count?id=0").statusCode()).as("warm-up request").isEqualTo(200);
	}

	@AfterEach
	void nothingLeftRunning() throws SQLException {
		assertThat(EmbeddedPostgresServer.activeQueries(APP)).isEmpty();
		assertThat(activeConnections()).isZero();
	}

	@Test
	void failedRequestStopsItsQueriesOnTheServerAndGivesConnectionsBack() throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.get("/zombie");
		Duration elapsed = JdbcTestApplication.elapsedSince(start);
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(elapsed).as("answered once the queries were cancelled").isLessThan(LONG_BEFORE_THE_QUERY_ENDS);
		await("no query of the application running on the server and every connection back in the pool")
			.atMost(LONG_BEFORE_THE_QUERY_ENDS)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> EmbeddedPostgresServer.activeQueries(APP).isEmpty() && activeConnections() == 0);
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

	@Test
	void cancelledStatementInTransactionIsRolledBackAndNextRequestWorks() throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.get("/insert-then-slow?id=7", Duration.ofMillis(300));
		Duration elapsed = JdbcTestApplication.elapsedSince(start);
		assertThat(response.statusCode()).as("request deadline of 300 ms, transaction timeout of 10 s").isEqualTo(504);
		assertThat(elapsed).as("answered at the deadline, once the query was cancelled")
			.isLessThan(LONG_BEFORE_THE_QUERY_ENDS);
		for (int i = 0; i < 4; i++) { // as many requests as connections: the cancelled one is among them
			HttpResponse<String> next = this.http.get("/count?id=7");
			assertThat(next.statusCode()).isEqualTo(200);
			assertThat(next.body()).as("insert rolled back").isEqualTo("0");
		}
	}

	@Test
	void shorterTransactionTimeoutWins() throws Exception {
		long start = System.nanoTime();
		HttpResponse<String> response = this.http.get("/slow-in-short-transaction", Duration.ofSeconds(10));
		Duration elapsed = JdbcTestApplication.elapsedSince(start);
		assertThat(response.statusCode()).as("transaction timeout of 1 s, request deadline of 10 s").isEqualTo(500);
		assertThat(elapsed).as("not before the transaction timeout").isGreaterThanOrEqualTo(Duration.ofMillis(900));
	}

	private int activeConnections() throws SQLException {
		return this.dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().getActiveConnections();
	}

}
