package io.github.cancelscope.web.client;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link DeadlineHeaderPolicy#hosts}.
 */
class DeadlineHeaderPolicyTests {

	@Test
	void noPatternsSendToEveryHost() {
		assertThat(DeadlineHeaderPolicy.hosts(List.of(), List.of())).isSameAs(DeadlineHeaderPolicy.ALL_HOSTS);
	}

	@Test
	void includedHostsMatchWholeNamesIgnoringCase() {
		DeadlineHeaderPolicy policy = DeadlineHeaderPolicy.hosts(List.of("orders", "API.internal.example"),
				List.of());
		assertThat(policy.sendsDeadlineTo(uri("http://orders:8080/x"))).isTrue();
		assertThat(policy.sendsDeadlineTo(uri("https://api.internal.example/x"))).isTrue();
		assertThat(policy.sendsDeadlineTo(uri("https://api.internal.example./x"))).isTrue();
		assertThat(policy.sendsDeadlineTo(uri("http://orders.evil.com/x"))).isFalse();
		assertThat(policy.sendsDeadlineTo(uri("http://xorders/x"))).isFalse();
		assertThat(policy.sendsDeadlineTo(uri("https://api.stripe.com/v1"))).isFalse();
	}

	@Test
	void wildcardMatchesSubdomainsButNotTheDomainItself() {
		DeadlineHeaderPolicy policy = DeadlineHeaderPolicy.hosts(List.of("*.svc.cluster.local"), List.of());
		assertThat(policy.sendsDeadlineTo(uri("http://orders.svc.cluster.local/x"))).isTrue();
		assertThat(policy.sendsDeadlineTo(uri("http://a.b.svc.cluster.local/x"))).isTrue();
		assertThat(policy.sendsDeadlineTo(uri("http://svc.cluster.local/x"))).isFalse();
		assertThat(policy.sendsDeadlineTo(uri("http://evilsvc.cluster.local/x"))).isFalse();
	}

	@Test
	void excludedHostsWinOverIncludedOnes() {
		DeadlineHeaderPolicy policy = DeadlineHeaderPolicy.hosts(List.of("*.example.com"),
				List.of("partner.example.com"));
		assertThat(policy.sendsDeadlineTo(uri("http://orders.example.com/x"))).isTrue();
		assertThat(policy.sendsDeadlineTo(uri("http://partner.example.com/x"))).isFalse();
	}

	@Test
	void excludeAloneSendsToEveryOtherHost() {
		DeadlineHeaderPolicy policy = DeadlineHeaderPolicy.hosts(List.of(), List.of("*.stripe.com", "127.0.0.1"));
		assertThat(policy.sendsDeadlineTo(uri("https://api.stripe.com/v1"))).isFalse();
		assertThat(policy.sendsDeadlineTo(uri("http://127.0.0.1:8080/"))).isFalse();
		assertThat(policy.sendsDeadlineTo(uri("http://orders/"))).isTrue();
	}

	@Test
	void uriWithoutHostIsNotIncluded() {
		assertThat(DeadlineHeaderPolicy.hosts(List.of("orders"), List.of()).sendsDeadlineTo(uri("/relative")))
			.isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "*", "*.", "a.*.com", "*example.com", "orders*" })
	void malformedPatternIsRejected(String pattern) {
		assertThatIllegalArgumentException().isThrownBy(() -> DeadlineHeaderPolicy.hosts(List.of(pattern), List.of()))
			.withMessageContaining("Invalid host pattern");
	}

	private static URI uri(String uri) {
		return URI.create(uri);
	}

}
