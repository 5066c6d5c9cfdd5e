package io.github.cancelscope.autoconfigure.observation;

import java.time.Duration;

import io.github.cancelscope.observation.DefaultScopeObservationConvention;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's {@code management.observations.enable.cancelscope=false} turns the scopes'
 * observations off, on a real Tomcat: the request's own observation and the starter's meters stay.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cancelscope.request.timeout=10s", "management.observations.enable.cancelscope=false" })
class ObservationsDisabledIntegrationTests extends ObservabilityIntegrationTestSupport {

	@Test
	void requestScopesAreNotObservedButStillCountedAndTheRequestIsObserved() throws Exception {
		assertThat(get("/ok", null).statusCode()).isEqualTo(200);
		// the scope ends, and Spring MVC's observation stops, when the filters return: the client may
		// have read the flushed response just before
		Awaitility.await("the request's scope counted as ended and the request observed")
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> {
				assertThat(this.meters.find(ScopeMetrics.ENDED)
					.tags("kind", "request", "outcome", "completed", "reason", "none")
					.counter()).isNotNull();
				assertThat(this.meters.find("http.server.requests").timer()).isNotNull();
			});
		assertThat(this.meters.find(DefaultScopeObservationConvention.NAME).meters()).isEmpty();
		assertThat(this.meters.find(DefaultScopeObservationConvention.NAME + ".active").meters()).isEmpty();
	}

}
