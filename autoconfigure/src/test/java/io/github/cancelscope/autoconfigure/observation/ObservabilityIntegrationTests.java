package io.github.cancelscope.autoconfigure.observation;

import java.net.http.HttpResponse;
import java.time.Duration;

import io.github.cancelscope.observation.DefaultScopeObservationConvention;
import io.micrometer.core.instrument.search.Search;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing and metrics of request scopes on a real Tomcat, with Brave as the tracer and a
 * {@code SimpleMeterRegistry}.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cancelscope.request.timeout=10s", "management.tracing.sampling.probability=1.0" })
class ObservabilityIntegrationTests extends ObservabilityIntegrationTestSupport {

	@Test
	void spanMadeInAForkIsAChildOfTheRequestScopesSpanWithTheTraceIdAndScopeIdInTheMdc() throws Exception {
		HttpResponse<String> response = get("/trace", null);
		assertThat(response.statusCode()).isEqualTo(200);
		var trace = JsonParserFactory.getJsonParser().parseMap(response.body());
		assertThat(trace.get("forkTraceId")).isNotNull().isEqualTo(trace.get("requestTraceId"));
		assertThat(trace.get("forkParentId")).as("the request scope's span is the parent").isEqualTo(trace.get("requestSpanId"));
		assertThat(trace.get("forkMdcTraceId")).isEqualTo(trace.get("requestTraceId"));
		assertThat(trace.get("forkMdcScope")).isEqualTo(trace.get("scopeId"));
	}

	@Test
	void metersCountScopesByOutcomeAndReason() throws Exception {
		double completed = ended("completed", "none");
		double deadline = ended("cancelled", "DEADLINE_EXCEEDED");
		double sibling = ended("cancelled", "SIBLING_FAILED");
		long cancellations = cancellationTimerCount();
		assertThat(get("/ok", null).statusCode()).isEqualTo(200);
		assertThat(get("/deadline", "200").statusCode()).isEqualTo(504);
		assertThat(get("/sibling", null).statusCode()).isEqualTo(500);
		// each scope ends when the request's filters return: the client may have read the flushed
		// response just before
		Awaitility.await("the three scopes counted as ended").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(ended("completed", "none") - completed).isEqualTo(1);
			assertThat(ended("cancelled", "DEADLINE_EXCEEDED") - deadline).isEqualTo(1);
			assertThat(ended("cancelled", "SIBLING_FAILED") - sibling).isEqualTo(1);
			assertThat(cancellationTimerCount() - cancellations).isEqualTo(2);
			assertThat(Search.in(this.meters).name(DefaultScopeObservationConvention.NAME)
				.tag("cancelscope.reason", "DEADLINE_EXCEEDED")
				.timer()).as("the observation's timer").isNotNull();
		});
		assertThat(this.meters.get(ScopeMetrics.ACTIVE).tag("kind", "request").gauge().value()).isZero();
		assertThat(this.meters.find(ScopeMetrics.STRAGGLERS).counters()).isEmpty();
	}

	private double ended(String outcome, String reason) {
		var counter = this.meters.find(ScopeMetrics.ENDED)
			.tags("kind", "request", "outcome", outcome, "reason", reason)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private long cancellationTimerCount() {
		return this.meters.find(ScopeMetrics.CANCELLATION_DURATION)
			.tag("kind", "request")
			.timers()
			.stream()
			.mapToLong((timer) -> timer.count())
			.sum();
	}

}
