package io.github.cancelscope.autoconfigure.web.client;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.web.DeadlineHeader;
import io.github.cancelscope.web.client.DeadlineHeaderPolicy;
import io.github.cancelscope.web.client.RequestScopeInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deadline headers that a {@link RequestScopeInterceptor} sends, as a real server on loopback
 * receives them.
 */
class DeadlineHeadersOutboundTests {

	static final String TIMEOUT_HEADER = "x-request-timeout-ms";

	static final String GRPC_TIMEOUT = "grpc-timeout";

	static final String ENVOY = "x-envoy-expected-rq-timeout-ms";

	private static final CancellableScope application = CancellableScope.root(ScopeSettings.defaults());

	@Test
	void handBuiltInterceptorSendsTheTimeoutHeaderOnly() {
		Map<String, String> received = callWithDeadline(new RequestScopeInterceptor(), Duration.ofSeconds(2));
		assertThat(Long.parseLong(received.get(TIMEOUT_HEADER))).isPositive().isLessThanOrEqualTo(2000);
		assertThat(received).doesNotContainKeys(GRPC_TIMEOUT, ENVOY);
	}

	@Test
	void grpcTimeoutIsSentInGrpcFormat() {
		RequestScopeInterceptor interceptor = new RequestScopeInterceptor()
			.withDeadlineHeaders(EnumSet.allOf(DeadlineHeader.class));
		Map<String, String> received = callWithDeadline(interceptor, Duration.ofSeconds(2));
		String grpcTimeout = received.get(GRPC_TIMEOUT);
		assertThat(grpcTimeout).as("up to 8 digits, then a unit; under 100 s that is milliseconds")
			.matches("[0-9]{1,8}m");
		assertThat(DeadlineHeader.GRPC_TIMEOUT.parse(grpcTimeout)).isPositive()
			.isLessThanOrEqualTo(Duration.ofSeconds(2));
		assertThat(Long.parseLong(received.get(ENVOY))).isPositive().isLessThanOrEqualTo(2000);
		assertThat(Long.parseLong(received.get(TIMEOUT_HEADER))).isPositive().isLessThanOrEqualTo(2000);
	}

	@Test
	void longDeadlineGoesOutInACoarserGrpcUnit() {
		RequestScopeInterceptor interceptor = new RequestScopeInterceptor()
			.withDeadlineHeaders(List.of(DeadlineHeader.GRPC_TIMEOUT));
		Map<String, String> received = callWithDeadline(interceptor, Duration.ofHours(30));
		assertThat(received.get(GRPC_TIMEOUT)).matches("10[0-9]{4}S");
		assertThat(received).doesNotContainKeys(TIMEOUT_HEADER, ENVOY);
	}

	@Test
	void includedHostGetsTheHeaders() {
		RequestScopeInterceptor interceptor = new RequestScopeInterceptor()
			.withDeadlineHeaders(EnumSet.allOf(DeadlineHeader.class))
			.withDeadlineHeaderPolicy(DeadlineHeaderPolicy.hosts(List.of("127.0.0.1"), List.of()));
		assertThat(callWithDeadline(interceptor, Duration.ofSeconds(2))).containsKeys(TIMEOUT_HEADER, GRPC_TIMEOUT,
				ENVOY);
	}

	@Test
	void hostThatIsNotIncludedGetsNoHeaders() {
		RequestScopeInterceptor interceptor = new RequestScopeInterceptor()
			.withDeadlineHeaders(EnumSet.allOf(DeadlineHeader.class))
			.withDeadlineHeaderPolicy(DeadlineHeaderPolicy.hosts(List.of("*.svc.cluster.local"), List.of()));
		assertThat(callWithDeadline(interceptor, Duration.ofSeconds(2))).doesNotContainKeys(TIMEOUT_HEADER,
				GRPC_TIMEOUT, ENVOY);
	}

	@Test
	void excludedHostGetsNoHeaders() {
		RequestScopeInterceptor interceptor = new RequestScopeInterceptor()
			.withDeadlineHeaders(EnumSet.allOf(DeadlineHeader.class))
			.withDeadlineHeaderPolicy(DeadlineHeaderPolicy.hosts(List.of(), List.of("127.0.0.1")));
		assertThat(callWithDeadline(interceptor, Duration.ofSeconds(2))).doesNotContainKeys(TIMEOUT_HEADER,
				GRPC_TIMEOUT, ENVOY);
	}

	@Test
	void noDeadlineHeadersSendNone() {
		RequestScopeInterceptor interceptor = new RequestScopeInterceptor().withDeadlineHeaders(List.of());
		assertThat(callWithDeadline(interceptor, Duration.ofSeconds(2))).doesNotContainKeys(TIMEOUT_HEADER,
				GRPC_TIMEOUT, ENVOY);
	}

	/**
	 * Makes one call to the loopback server with a client that uses the interceptor, in a scope
	 * with the given deadline.
	 * @return the headers the server received, names in lower case
	 */
	static Map<String, String> callWithDeadline(RequestScopeInterceptor interceptor, Duration deadline) {
		DownstreamServer downstream = DownstreamServer.shared();
		RestClient client = RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory())
			.requestInterceptor(interceptor)
			.build();
		String id = UUID.randomUUID().toString();
		try (CancellableScope scope = application.openChild(deadline)) {
			String body = scope.call(() -> client.get().uri(downstream.uri("/fast?id=" + id)).retrieve()
				.body(String.class));
			assertThat(body).isEqualTo("fast " + id);
		}
		return downstream.exchange(id).awaitArrival();
	}

}
