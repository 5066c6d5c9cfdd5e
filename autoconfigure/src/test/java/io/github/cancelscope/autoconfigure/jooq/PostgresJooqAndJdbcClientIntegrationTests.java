package io.github.cancelscope.autoconfigure.jooq;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.autoconfigure.AbstractPostgresRequestTests;
import io.github.cancelscope.autoconfigure.HandlerFailures;
import io.github.cancelscope.autoconfigure.PostgresActivity;
import io.github.cancelscope.autoconfigure.ScopeEnds;
import org.jooq.Query;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * jOOQ's {@code DSLContext} and Spring's {@code JdbcClient}, as Spring Boot configures them on the
 * decorated {@code DataSource}, on a real PostgreSQL behind a real Tomcat: a cancelled scope stops
 * their queries on the server, and jOOQ's own {@code Query.cancel()} still works.
 */
@SpringBootTest(classes = JooqTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.jooq.sql-dialect=postgres", "spring.datasource.hikari.maximum-pool-size=4",
				"spring.datasource.hikari.data-source-properties.ApplicationName=" + JooqTestApplication.APPLICATION_NAME })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresJooqAndJdbcClientIntegrationTests extends AbstractPostgresRequestTests {

	private static final String APP = JooqTestApplication.APPLICATION_NAME;

	@Override
	protected String applicationName() {
		return APP;
	}

	@BeforeEach
	void warmUp() throws Exception {
		HttpResponse<String> ping = http().get("/ping", null);
		assertThat(ping.statusCode()).as("warm-up request").isEqualTo(200);
		assertThat(ping.body()).isEqualTo("jooq 1, jdbc client 1");
	}

	@Test
	void deadlineStopsAJooqQueryOnTheServer() throws Exception {
		String id = newId();
		HttpResponse<String> response = http().get("/jooq?id=" + id, Duration.ofMillis(300));
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(HandlerFailures.of(id)).isEqualTo("DEADLINE_EXCEEDED");
		PostgresActivity.awaitNothingRunning(APP, dataSource());
	}

	@Test
	void jooqsOwnCancelStillStopsTheQueryAndLeavesTheScopeAlone() throws Exception {
		String id = newId();
		CompletableFuture<HttpResponse<String>> response = CompletableFuture
			.supplyAsync(() -> getUnchecked("/jooq?id=" + id));
		PostgresActivity.awaitRunning(APP, 1);
		Query query = await("the handler's query").atMost(PostgresActivity.PATIENCE)
			.until(() -> JooqTestApplication.queries.get(id), (q) -> q != null);
		query.cancel();
		assertThat(response.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(500);
		assertThat(HandlerFailures.of(id)).as("jOOQ's failure, not a cancelled scope")
			.doesNotContain("CANCELLED", "DEADLINE");
		assertThat(ScopeEnds.awaitEnd(id)).isEqualTo("NONE");
		PostgresActivity.awaitNothingRunning(APP, dataSource());
	}

	@Test
	void deadlineStopsAJdbcClientQueryOnTheServer() throws Exception {
		String id = newId();
		HttpResponse<String> response = http().get("/jdbc-client?id=" + id, Duration.ofMillis(300));
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(HandlerFailures.of(id)).isEqualTo("DEADLINE_EXCEEDED");
		PostgresActivity.awaitNothingRunning(APP, dataSource());
	}

	private HttpResponse<String> getUnchecked(String pathAndQuery) {
		try {
			return http().get(pathAndQuery, null);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String newId() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

}
