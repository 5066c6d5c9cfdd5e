package io.github.cancelscope.autoconfigure.jdbc;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request waiting for a connection of an exhausted pool gets its answer at its deadline, not
 * after the pool's connection timeout.
 */
@SpringBootTest(classes = JdbcTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "test.slow-query=SELECT pg_sleep(30)", "spring.datasource.hikari.maximum-pool-size=1",
				"spring.datasource.hikari.connection-timeout=10000" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PostgresPoolWaitIntegrationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private DataSource dataSource;

	@Autowired
	private JdbcTestApplication.Gate gate;

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		EmbeddedPostgresServer.register(registry, "cancelscope-it-pool-wait");
	}

	@Test
	void requestWaitingForConnectionGetsItsAnswerAtItsDeadline() throws Exception {
		HttpCalls http = new HttpCalls(this.port);
		CompletableFuture<HttpResponse<String>> holder = http.getAsync("/hold");
		assertThat(this.gate.held.await(10, TimeUnit.SECONDS)).as("first request holds the only connection").isTrue();
		long start = System.nanoTime();
		HttpResponse<String> waiting = http.get("/count?id=1", Duration.ofMillis(300));
		Duration elapsed = JdbcTestApplication.elapsedSince(start);
		this.gate.release.countDown();
		assertThat(waiting.statusCode()).isEqualTo(504);
		assertThat(waiting.body()).contains("DEADLINE_EXCEEDED");
		assertThat(elapsed).as("the 300 ms deadline ended the wait, long before the pool's 10 s connection timeout")
			.isBetween(Duration.ofMillis(280), Duration.ofSeconds(5));
		assertThat(holder.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
		HikariDataSource pool = this.dataSource.unwrap(HikariDataSource.class);
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
		assertThat(pool.getHikariPoolMXBean().getThreadsAwaitingConnection()).isZero();
	}

}
