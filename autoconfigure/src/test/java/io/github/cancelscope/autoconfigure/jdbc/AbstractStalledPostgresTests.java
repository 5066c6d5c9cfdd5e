package io.github.cancelscope.autoconfigure.jdbc;

import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.cancelscope.CancellationReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A PostgreSQL server stopped with {@code SIGSTOP} (every process of it) answers neither queries
 * nor cancels: requests are still answered at their deadline, or at their sibling's failure, plus
 * {@code cancelscope.jdbc.abort-after} (1 s), long before the database resumes; the connections of
 * stuck statements are aborted and evicted; once the server resumes, no query is left running and
 * the pool is whole again. The server is resumed only after the answers (or by a fail-safe after
 * {@value StalledPostgres#FAIL_SAFE_SECONDS} s), and always after each test.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class AbstractStalledPostgresTests {

	static final String SLOW_QUERY = "SELECT pg_sleep(30)";

	static final int POOL_SIZE = 4;

	/**
	 * The JDK starts its virtual-thread I/O pollers once, when a virtual thread (here a fork) first
	 * blocks on a socket, whichever test that is.
	 */
	static final String JDK_POLLERS = "cancelscope.test.leak-check.allowed-threads=SubPoller-*";

	/**
	 * What a hang would miss and a busy machine would not: the deadline (1 s) plus the abort time
	 * (1 s) plus a wide margin, and far less than the fail-safe resume.
	 */
	private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(8);

	@LocalServerPort
	private int port;

	@Autowired
	private DataSource dataSource;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private JdbcTestApplication.Gate gate;

	@Autowired
	private JdbcTestApplication.Aborts aborts;

	// null when an assumption skipped the test before setUp made it
	private HttpCalls http;

	abstract String applicationName();

	@BeforeEach
	void setUp() throws Exception {
		assumeThat(StalledPostgres.supported()).as("SIGSTOP of the server's processes needs Linux").isTrue();
		this.http = new HttpCalls(this.port);
		this.gate.failSibling = new CountDownLatch(1);
		this.aborts.reasons.clear();
		this.jdbc.execute("CREATE TABLE IF NOT EXISTS orders (id int)");
		assertThat(this.http.get("/count?id=0").statusCode()).as("warm-up request").isEqualTo(200);
		await("a full pool").atMost(Duration.ofSeconds(30)).until(() -> pool().getTotalConnections() == POOL_SIZE);
	}

	@AfterEach
	void resumeAndCheckNothingIsLeft() throws Exception {
		StalledPostgres.resume();
		if (this.http == null) {
			// skipped by an assumption before it began
			return;
		}
		await("no query of the application left running on the resumed server, and every connection back")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> StalledPostgres.activeQueries(applicationName()).isEmpty()
					&& pool().getActiveConnections() == 0);
		await("the pool whole again").atMost(Duration.ofSeconds(40))
			.until(() -> pool().getTotalConnections() == POOL_SIZE);
		for (int i = 0; i < POOL_SIZE; i++) {
			assertThat(this.http.get("/count?id=0").statusCode()).as("a request after the stall").isEqualTo(200);
		}
	}

	@Test
	void deadlineIsAnsweredWhileTheQueryIsStuckInAStalledDatabase() throws Exception {
		long start = System.nanoTime();
		CompletableFuture<HttpResponse<String>> answer = this.http.getAsync("/slow", Duration.ofSeconds(1));
		awaitRunning(1);
		StalledPostgres.stall();
		Duration stalledAfter = JdbcTestApplication.elapsedSince(start);
		assumeThat(stalledAfter).as("stalled before the 1 s deadline (a very slow machine cannot test this)")
			.isLessThan(Duration.ofMillis(900));
		HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
		Duration elapsed = JdbcTestApplication.elapsedSince(start);
		Stalled seen = seenBeforeResuming();
		report("1 s deadline, query stuck in a stalled database", elapsed, seen);
		assertThat(seen.resumedByFailSafe).as("answered before the database resumed").isFalse();
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(response.body()).contains("DEADLINE_EXCEEDED");
		assertThat(elapsed).as("answered at the deadline plus the abort time").isLessThan(ANSWERED_WITHIN);
		assertThat(seen.total).as("the aborted connection evicted from the pool").isEqualTo(POOL_SIZE - 1);
		assertThat(seen.active).as("no connection lent").isZero();
		awaitAborts(1);
		assertThat(this.aborts.reasons).containsExactly(CancellationReason.DEADLINE_EXCEEDED);
	}

	@Test
	void siblingFailureIsAnsweredWhileQueriesAreStuckInAStalledDatabase() throws Exception {
		long start = System.nanoTime();
		CompletableFuture<HttpResponse<String>> answer = this.http.getAsync("/zombie-gated");
		awaitRunning(2);
		StalledPostgres.stall();
		long failedAt = System.nanoTime();
		this.gate.failSibling.countDown();
		HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS);
		Duration elapsed = JdbcTestApplication.elapsedSince(failedAt);
		Stalled seen = seenBeforeResuming();
		report("sibling failed, 2 forked queries stuck in a stalled database (from the failure)", elapsed, seen);
		assertThat(seen.resumedByFailSafe).as("answered before the database resumed").isFalse();
		assertThat(response.statusCode()).isEqualTo(500);
		assertThat(elapsed).as("answered at the sibling's failure plus the abort time").isLessThan(ANSWERED_WITHIN);
		assertThat(seen.total).as("both aborted connections evicted from the pool").isEqualTo(POOL_SIZE - 2);
		assertThat(seen.active).as("no connection lent").isZero();
		awaitAborts(2);
		assertThat(this.aborts.reasons).containsExactly(CancellationReason.SIBLING_FAILED,
				CancellationReason.SIBLING_FAILED);
		assertThat(JdbcTestApplication.elapsedSince(start)).isLessThan(Duration.ofSeconds(60));
	}

	@Test
	void requestsArrivingAtAStalledDatabaseAreAnsweredOnTime() throws Exception {
		// idle for longer than Hikari's 500 ms alive-bypass window: borrowing validates the connection
		Thread.sleep(600);
		StalledPostgres.stall();
		long start = System.nanoTime();
		HttpResponse<String> deadline = this.http.get("/slow", Duration.ofSeconds(1));
		Duration deadlineElapsed = JdbcTestApplication.elapsedSince(start);
		start = System.nanoTime();
		HttpResponse<String> zombie = this.http.get("/zombie");
		Duration zombieElapsed = JdbcTestApplication.elapsedSince(start);
		Stalled seen = seenBeforeResuming();
		report("1 s deadline, database stalled before the request (pool wait)", deadlineElapsed, seen);
		report("sibling failing at 200 ms, database stalled before the request (pool wait)", zombieElapsed, seen);
		assertThat(seen.resumedByFailSafe).as("answered before the database resumed").isFalse();
		assertThat(deadline.statusCode()).isEqualTo(504);
		assertThat(zombie.statusCode()).isEqualTo(500);
		assertThat(deadlineElapsed).as("answered at the deadline plus the validation bound").isLessThan(ANSWERED_WITHIN);
		assertThat(zombieElapsed).as("answered at the failure plus the validation bound").isLessThan(ANSWERED_WITHIN);
		assertThat(seen.active).as("no connection lent").isZero();
	}

	private void awaitRunning(int queries) {
		await("the slow queries running on the server").atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(2))
			.until(() -> StalledPostgres.activeQueries(applicationName()).stream().filter(SLOW_QUERY::equals).count() == queries);
	}

	/**
	 * Waits for the abort listener, told on the aborting thread, possibly after the answer.
	 */
	private void awaitAborts(int count) {
		await("the abort listener told").atMost(Duration.ofSeconds(10)).until(() -> this.aborts.reasons.size() >= count);
	}

	private Stalled seenBeforeResuming() throws SQLException {
		return new Stalled(StalledPostgres.resumedByFailSafe(), pool().getTotalConnections(),
				pool().getActiveConnections());
	}

	private void report(String what, Duration elapsed, Stalled seen) {
		System.out.println("[stalled-postgres] " + getClass().getSimpleName() + ": " + what + ": answered after "
				+ elapsed.toMillis() + " ms; pool total " + seen.total + ", active " + seen.active + "; aborts "
				+ this.aborts.reasons);
	}

	private HikariPoolMXBean pool() throws SQLException {
		return this.dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();
	}

	private record Stalled(boolean resumedByFailSafe, int total, int active) {
	}

}
