package io.github.cancelscope.autoconfigure.web.client;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.autoconfigure.web.client.OutboundCallsApplication.Outcome;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outbound calls made in request scopes of a real server, against real servers on loopback. Each
 * subclass runs them on one request factory.
 */
@SpringBootTest(classes = OutboundCallsApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class AbstractOutboundCallTests {

	private static final String TIMEOUT_HEADER = "X-Request-Timeout-Ms";

	/**
	 * Far less than the 30 s a stalled downstream call lasts unless it is aborted, far more than a
	 * busy machine needs to abort it.
	 */
	private static final Duration LONG_BEFORE_THE_STALL_ENDS = Duration.ofSeconds(10);

	/** More than loopback's socket buffers hold, so that a client that sends it blocks in its write. */
	private static final int LARGE_BODY = 32 * 1024 * 1024;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final DownstreamServer downstream = DownstreamServer.shared();

	@LocalServerPort
	private int port;

	@Test
	void fanOutAnswers504AndClosesTheStalledCallAtTheDeadline() {
		String id = newId();
		Instant start = Instant.now();
		Answer answer = get("/fan-out?id=" + id, 1000);
		assertThat(answer.status()).isEqualTo(504);
		assertThat(Duration.between(start, Instant.now())).as("answered at the 1 s deadline, not when the stall ends")
			.isLessThan(LONG_BEFORE_THE_STALL_ENDS);
		assertThat(this.downstream.exchange(id + "-1").awaitArrival()).isNotEmpty();
		assertThat(this.downstream.exchange(id + "-2").awaitArrival()).isNotEmpty();
		assertClosedSoonAfterDeadline(id, id + "-3");
	}

	@Test
	void siblingFailureAbortsTheOtherCalls() {
		String id = newId();
		Answer answer = get("/siblings?id=" + id, null);
		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.body())
			.isEqualTo("cancelled SIBLING_FAILED, cancelled SIBLING_FAILED, status 500; interrupted false");
		Instant failed = this.downstream.exchange(id + "-3").awaitAnswer();
		for (String sibling : new String[] { id + "-1", id + "-2" }) {
			Duration afterFailure = Duration.between(failed, this.downstream.exchange(sibling).awaitClientClose());
			assertThat(afterFailure).as("time from the failed sibling's answer to the downstream seeing the close")
				.isLessThan(LONG_BEFORE_THE_STALL_ENDS);
		}
	}

	@Test
	void stallBeforeTheResponseHeadersIsAbortedOnTheRequestThread() {
		assertDirectCallAborted("stall", "rest-client");
	}

	@Test
	void stallDuringTheBodyIsAborted() {
		assertDirectCallAborted("stall-body", "rest-client");
	}

	@Test
	void restTemplateStallBeforeTheResponseHeadersIsAborted() {
		assertDirectCallAborted("stall", "rest-template");
	}

	@Test
	void restTemplateStallDuringTheBodyIsAborted() {
		assertDirectCallAborted("stall-body", "rest-template");
	}

	@Test
	void callInACancelledScopeFailsWithoutConnecting() {
		String id = newId();
		int connections = this.downstream.connections();
		Answer answer = get("/pre-cancelled?id=" + id, null);
		assertThat(answer.body()).isEqualTo("cancelled CANCELLED");
		assertThat(this.downstream.connections()).isEqualTo(connections);
		assertThat(this.downstream.exchange(id).hasArrived()).isFalse();
	}

	@Test
	void remainingTimeTravelsDownstream() {
		Propagation propagation = propagate(URI.create("http://127.0.0.1:" + this.port), 2000);
		assertThat(propagation.callerRemaining()).isPositive().isLessThanOrEqualTo(2000);
		assertThat(propagation.header()).isPositive().isLessThanOrEqualTo(propagation.callerRemaining());
		assertThat(propagation.calleeRemaining()).isPositive().isLessThanOrEqualTo(propagation.header());
	}

	@Test
	void remainingTimeIsSentInTheTimeoutHeader() {
		String id = newId();
		get("/relay?id=" + id, 2000);
		Map<String, String> headers = this.downstream.exchange(id).awaitArrival();
		assertThat(Long.parseLong(headers.get("x-request-timeout-ms"))).isPositive().isLessThanOrEqualTo(2000);
	}

	@Test
	void scopeWithoutDeadlineSendsNoTimeoutHeader() {
		String id = newId();
		Answer answer = get("/relay?id=" + id, null);
		assertThat(answer.status()).isEqualTo(200);
		assertThat(this.downstream.exchange(id).awaitArrival()).doesNotContainKey("x-request-timeout-ms");
		Answer propagated = get("/propagate?service=" + URI.create("http://127.0.0.1:" + this.port), null);
		assertThat(propagated.body()).isEqualTo("none none/none");
	}

	@Test
	void maxTimeoutOfTheNextServiceCapsTheCallersDeadline() {
		Propagation propagation = propagate(SecondService.uri(), 10_000);
		assertThat(propagation.header()).isGreaterThan(5000);
		assertThat(propagation.calleeRemaining()).isPositive().isLessThanOrEqualTo(1000);
	}

	@Test
	void downstreamThatAcceptsAndNeverAnswersDoesNotHoldTheRequestPastItsDeadline() throws Exception {
		assertSilentDownstreamBounded(0, "rest-client");
		assertSilentDownstreamBounded(0, "rest-template");
	}

	@Test
	void downstreamThatStopsReadingALargeBodyDoesNotHoldTheRequestPastItsDeadline() throws Exception {
		assertSilentDownstreamBounded(LARGE_BODY, "rest-client");
		assertSilentDownstreamBounded(LARGE_BODY, "rest-template");
	}

	/**
	 * Posts {@code size} bytes, with a 1 s deadline, to a downstream that accepts the connection and
	 * then neither reads nor answers; checks that the request is answered at its deadline and that
	 * the downstream sees the connection closed.
	 */
	private void assertSilentDownstreamBounded(int size, String client) throws Exception {
		try (SilentDownstream silent = new SilentDownstream()) {
			Instant start = Instant.now();
			Answer answer = get("/post?size=" + size + "&client=" + client + "&uri=" + silent.uri("/silent"), 1000);
			Duration elapsed = Duration.between(start, Instant.now());
			System.out.println("[silent-downstream] " + getClass().getSimpleName() + " " + client + ", body of " + size
					+ " bytes: answered " + answer.status() + " after " + elapsed.toMillis() + " ms");
			assertThat(answer.status()).as(client + ", body of " + size + " bytes").isEqualTo(504);
			assertThat(elapsed).as("answered at the 1 s deadline, not when the downstream gives up")
				.isLessThan(LONG_BEFORE_THE_STALL_ENDS);
			Socket connection = silent.awaitConnection(LONG_BEFORE_THE_STALL_ENDS);
			assertThat(SilentDownstream.closedByClient(connection, LONG_BEFORE_THE_STALL_ENDS))
				.as("the downstream sees the connection closed").isTrue();
		}
	}

	/**
	 * Sends a request with the given timeout to {@code /propagate}, which calls {@code /remaining}
	 * of the given service.
	 */
	private Propagation propagate(URI service, int timeoutMillis) {
		Answer answer = get("/propagate?service=" + service, timeoutMillis);
		assertThat(answer.status()).isEqualTo(200);
		String[] parts = answer.body().split("[ /]");
		return new Propagation(Long.parseLong(parts[0]), Long.parseLong(parts[2]), Long.parseLong(parts[1]));
	}

	private void assertDirectCallAborted(String path, String client) {
		String id = newId();
		Instant start = Instant.now();
		Answer answer = get("/direct?path=" + path + "&client=" + client + "&id=" + id, 800);
		assertThat(answer.status()).isEqualTo(504);
		assertThat(Duration.between(start, Instant.now())).as("answered at the 800 ms deadline, not when the stall ends")
			.isLessThan(LONG_BEFORE_THE_STALL_ENDS);
		assertClosedSoonAfterDeadline(id, id);
		Outcome outcome = OutboundCallsApplication.outcomes.get(id);
		assertThat(outcome).as("outcome seen by the handler").isNotNull();
		assertThat(outcome.interrupted()).as("interrupt status of the request thread after the abort").isFalse();
		assertThat(outcome.cancelled()).as("cancellation in the cause chain").isNotNull();
		assertThat(outcome.cancelled().reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
	}

	private void assertClosedSoonAfterDeadline(String handlerId, String exchangeId) {
		Instant closed = this.downstream.exchange(exchangeId).awaitClientClose();
		Instant deadline = OutboundCallsApplication.deadlines.get(handlerId);
		Duration afterDeadline = Duration.between(deadline, closed);
		// not before the deadline (give or take the wall clock's step), long before the stall ends
		assertThat(afterDeadline).as("time from the deadline to the downstream seeing the close")
			.isBetween(Duration.ofMillis(-10), LONG_BEFORE_THE_STALL_ENDS);
	}

	private Answer get(String pathAndQuery, @Nullable Integer timeoutMillis) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + pathAndQuery))
			.timeout(Duration.ofSeconds(20));
		if (timeoutMillis != null) {
			request.header(TIMEOUT_HEADER, timeoutMillis.toString());
		}
		try {
			HttpResponse<String> response = this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Answer(response.statusCode(), response.body());
		}
		catch (IOException ex) {
			throw new AssertionError("Request to " + pathAndQuery + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	private static String newId() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

	private record Answer(int status, String body) {

	}

	/**
	 * Time remaining to a caller's scope just before its call, the timeout header the callee
	 * received, and the time remaining to the callee's scope, all in milliseconds.
	 */
	private record Propagation(long callerRemaining, long header, long calleeRemaining) {

	}

	/**
	 * A second service, with {@code cancelscope.request.max-timeout=1s}, started once per JVM.
	 */
	private static final class SecondService {

		private static final ConfigurableApplicationContext context = new SpringApplicationBuilder(
				OutboundCallsApplication.class)
			.properties("server.port=0", "cancelscope.request.max-timeout=1s", "spring.jmx.enabled=false")
			.run();

		static URI uri() {
			return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
		}

	}

}
