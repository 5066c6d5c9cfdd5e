package io.github.cancelscope.autoconfigure.observation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.github.cancelscope.observation.DefaultScopeObservationConvention;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's {@code management.observations.enable.cancelscope=false} turns the scopes'
 * observations off, on a real Tomcat: the request's own observation and the starter's meters stay.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cancelscope.request.timeout=10s", "management.observations.enable.cancelscope=false" })
class ObservationsDisabledIntegrationTests {

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry meters;

	@Test
	void requestScopesAreNotObservedButStillCountedAndTheRequestIsObserved() throws Exception {
		HttpResponse<String> response = this.client.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/ok")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
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
