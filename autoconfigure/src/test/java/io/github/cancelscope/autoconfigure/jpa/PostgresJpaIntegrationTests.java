package io.github.cancelscope.autoconfigure.jpa;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.autoconfigure.AbstractPostgresRequestTests;
import io.github.cancelscope.autoconfigure.HandlerFailures;
import io.github.cancelscope.autoconfigure.PostgresActivity;
import io.github.cancelscope.autoconfigure.ScopeEnds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Data JPA repository queries (Hibernate on a real PostgreSQL, behind a real Tomcat) follow
 * the request's scope through the decorated {@code DataSource}: a cancelled scope stops the query
 * on the server, rolls back its transaction and gives the connection back.
 */
@SpringBootTest(classes = JpaTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = {
				// the other test applications exclude Hibernate; this one is about it
				"spring.autoconfigure.exclude=org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
				// no drop on close: the JVM's shutdown hooks stop the server at the same time
				"spring.jpa.hibernate.ddl-auto=create", "spring.jpa.open-in-view=false",
				"spring.datasource.hikari.maximum-pool-size=4",
				"spring.datasource.hikari.data-source-properties.ApplicationName=" + JpaTestApplication.APPLICATION_NAME })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresJpaIntegrationTests extends AbstractPostgresRequestTests {

	private static final String APP = JpaTestApplication.APPLICATION_NAME;

	@Override
	protected String applicationName() {
		return APP;
	}

	@BeforeEach
	void warmUp() throws Exception {
		assertThat(http().get("/exists?purchase=0", null).statusCode()).as("warm-up request").isEqualTo(200);
	}

	@Test
	void siblingFailureStopsRepositoryQueriesOnTheServer() throws Exception {
		String id = newId();
		HttpResponse<String> response = http().get("/sibling-fails?id=" + id, null);
		assertThat(response.statusCode()).as("the sibling's failure, through Spring's error handling").isEqualTo(500);
		assertThat(HandlerFailures.of(id)).isEqualTo("SIBLING_FAILED");
		assertThat(ScopeEnds.awaitEnd(id)).isEqualTo("SIBLING_FAILED");
		PostgresActivity.awaitNothingRunning(APP, dataSource());
	}

	@Test
	void deadlineStopsARepositoryQueryOnTheServer() throws Exception {
		String id = newId();
		HttpResponse<String> response = http().get("/slow?id=" + id, Duration.ofMillis(300));
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(HandlerFailures.of(id)).isEqualTo("DEADLINE_EXCEEDED");
		PostgresActivity.awaitNothingRunning(APP, dataSource());
	}

	@Test
	void clientThatGoesAwayStopsTheRepositoryQueryOnTheServer() throws Exception {
		String id = newId();
		try (Socket socket = http().send("/slow?id=" + id)) {
			PostgresActivity.awaitRunning(APP, 1);
			socket.close();
			assertThat(ScopeEnds.awaitEnd(id)).isEqualTo("CLIENT_DISCONNECTED");
		}
		assertThat(HandlerFailures.of(id)).isEqualTo("CLIENT_DISCONNECTED");
		PostgresActivity.awaitNothingRunning(APP, dataSource());
	}

	@Test
	void cancelledTransactionIsRolledBackAndEveryConnectionServesTheNextRequests() throws Exception {
		String id = newId();
		long purchase = System.nanoTime();
		HttpResponse<String> response = http().get("/insert-then-slow?id=" + id + "&purchase=" + purchase,
				Duration.ofMillis(300));
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(HandlerFailures.of(id)).isEqualTo("DEADLINE_EXCEEDED");
		PostgresActivity.awaitNothingRunning(APP, dataSource());
		// as many requests as connections: the one the cancelled transaction used is among them
		for (int i = 0; i < 4; i++) {
			HttpResponse<String> next = http().get("/exists?purchase=" + purchase, null);
			assertThat(next.statusCode()).isEqualTo(200);
			assertThat(next.body()).as("the row written before the cancelled query").isEqualTo("false");
		}
	}

	@Test
	void queryTimeoutHintEarlierThanTheDeadlineWins() throws Exception {
		String id = newId();
		long start = System.nanoTime();
		HttpResponse<String> response = http().get("/slow?hint=1s&id=" + id, Duration.ofSeconds(20));
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(response.statusCode()).as("the query timed out; the scope was not cancelled").isEqualTo(500);
		assertThat(HandlerFailures.of(id)).as("Hibernate's query timeout, not the scope")
			.contains("QueryTimeoutException");
		assertThat(elapsed).as("not before the hint's 1 s").isGreaterThanOrEqualTo(Duration.ofMillis(900));
		assertThat(ScopeEnds.awaitEnd(id)).isEqualTo("NONE");
	}

	@Test
	void deadlineEarlierThanTheQueryTimeoutHintWins() throws Exception {
		String id = newId();
		HttpResponse<String> response = http().get("/slow?hint=20s&id=" + id, Duration.ofMillis(300));
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(HandlerFailures.of(id)).isEqualTo("DEADLINE_EXCEEDED");
		assertThat(ScopeEnds.awaitEnd(id)).isEqualTo("DEADLINE_EXCEEDED");
	}

	private static String newId() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

}
