package io.github.cancelscope.autoconfigure.web.client;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.github.cancelscope.autoconfigure.HandlerFailures;
import io.github.cancelscope.autoconfigure.LoopbackHttp;
import io.github.cancelscope.autoconfigure.ScopeEnds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls that a handler makes to the {@link DownstreamServer} with one kind of client, blocking:
 * they carry the deadline, and a stalled one is aborted at the deadline so that the downstream
 * server sees its connection close. Each subclass starts an application with the client.
 */
abstract class AbstractBlockingCallTests {

	/** Far less than the 30 s a stalled call lasts unless aborted, far more than an abort needs. */
	private static final Duration LONG_BEFORE_THE_STALL_ENDS = Duration.ofSeconds(10);

	final DownstreamServer downstream = DownstreamServer.shared();

	@LocalServerPort
	private int port;

	LoopbackHttp http;

	@BeforeEach
	void setUp() {
		this.http = new LoopbackHttp(this.port);
	}

	/**
	 * Returns the path and query of the handler that calls the downstream server's {@code path}
	 * as exchange {@code id}.
	 */
	abstract String handler(String path, String id);

	@Test
	void callSendsTheRemainingTimeInTheTimeoutHeader() throws Exception {
		String id = newId();
		HttpResponse<String> response = this.http.get(handler("fast", id), Duration.ofMillis(5000));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).isEqualTo("fast " + id);
		Map<String, String> headers = this.downstream.exchange(id).awaitArrival();
		assertThat(Long.parseLong(headers.get("x-request-timeout-ms"))).isPositive().isLessThanOrEqualTo(5000);
	}

	@Test
	void callWithoutDeadlineSendsNoTimeoutHeader() throws Exception {
		String id = newId();
		assertThat(this.http.get(handler("fast", id), null).statusCode()).isEqualTo(200);
		assertThat(this.downstream.exchange(id).awaitArrival()).doesNotContainKey("x-request-timeout-ms");
	}

	@ParameterizedTest
	@ValueSource(strings = { "stall", "stall-body" })
	void stalledCallIsAbortedAtTheDeadlineAndTheDownstreamSeesTheClose(String path) throws Exception {
		String id = newId();
		HttpResponse<String> response = this.http.get(handler(path, id), Duration.ofMillis(800));
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(HandlerFailures.of(id)).isEqualTo("DEADLINE_EXCEEDED");
		Instant closed = this.downstream.exchange(id).awaitClientClose();
		Duration afterDeadline = Duration.between(ScopeEnds.deadline(id), closed);
		// not before the deadline (give or take the wall clock's step), long before the stall ends
		assertThat(afterDeadline).as("time from the deadline to the downstream seeing the close")
			.isBetween(Duration.ofMillis(-10), LONG_BEFORE_THE_STALL_ENDS);
	}

	static String newId() {
		return UUID.randomUUID().toString().substring(0, 8);
	}

}
