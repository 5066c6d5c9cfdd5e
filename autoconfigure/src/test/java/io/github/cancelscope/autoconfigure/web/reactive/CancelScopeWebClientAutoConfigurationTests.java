package io.github.cancelscope.autoconfigure.web.reactive;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import io.github.cancelscope.web.client.DeadlineHeaderPolicy;
import io.github.cancelscope.web.reactive.RequestScopeExchangeFilter;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link CancelScopeWebClientAutoConfiguration}.
 */
class CancelScopeWebClientAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
				CancelScopeWebClientAutoConfiguration.class, WebClientAutoConfiguration.class));

	@Test
	void webClientBuilderGetsTheFilter() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(RequestScopeExchangeFilter.class);
			assertThat(filters(context.getBean(WebClient.Builder.class)))
				.containsExactly(context.getBean(RequestScopeExchangeFilter.class));
		});
	}

	@Test
	void backsOffWhenTheHttpClientsAreLeftAlone() {
		this.contextRunner.withPropertyValues("cancelscope.http-client.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RequestScopeExchangeFilter.class);
			assertThat(filters(context.getBean(WebClient.Builder.class))).isEmpty();
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RequestScopeExchangeFilter.class));
	}

	@Test
	void isIgnoredWhenWebClientIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebClient.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RequestScopeExchangeFilter.class));
	}

	@Test
	void userDefinedFilterTakesPrecedence() {
		this.contextRunner.withUserConfiguration(UserFilterConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(RequestScopeExchangeFilter.class);
			assertThat(filters(context.getBean(WebClient.Builder.class))).containsExactly(UserFilterConfiguration.filter);
		});
	}

	@Test
	void sendsTheConfiguredHeadersToTheHostsThePolicyAllows() {
		this.contextRunner
			.withPropertyValues("cancelscope.request.timeout-header=X-Deadline-Ms",
					"cancelscope.request.deadline-headers.outbound.formats=timeout-header,grpc-timeout",
					"cancelscope.request.deadline-headers.outbound.exclude-hosts=*.example.com")
			.run((context) -> {
				RequestScopeExchangeFilter filter = context.getBean(RequestScopeExchangeFilter.class);
				ManualScopeClock clock = new ManualScopeClock();
				CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
				try (CancellableScope scope = root.openChild(Duration.ofMillis(1500))) {
					clock.advance(Duration.ofMillis(300));
					ClientRequest internal = scope.call(() -> sent(filter, "http://orders.internal/x"));
					assertThat(internal.headers().getFirst("X-Deadline-Ms")).isEqualTo("1200");
					assertThat(internal.headers().getFirst("grpc-timeout")).isEqualTo("1200m");
					ClientRequest external = scope.call(() -> sent(filter, "http://api.example.com/x"));
					assertThat(external.headers().containsHeader("X-Deadline-Ms")).isFalse();
					assertThat(external.headers().containsHeader("grpc-timeout")).isFalse();
				}
				finally {
					root.close();
				}
			});
	}

	@Test
	void deadlineHeaderPolicyBeanDecides() {
		this.contextRunner.withBean(DeadlineHeaderPolicy.class, () -> (uri) -> false).run((context) -> {
			RequestScopeExchangeFilter filter = context.getBean(RequestScopeExchangeFilter.class);
			CancellableScope root = CancellableScope.root(ScopeSettings.defaults());
			try (CancellableScope scope = root.openChild(Duration.ofMinutes(1))) {
				ClientRequest sent = scope.call(() -> sent(filter, "http://orders.internal/x"));
				assertThat(sent.headers().containsHeader("X-Request-Timeout-Ms")).isFalse();
			}
			finally {
				root.close();
			}
		});
	}

	@Test
	void exchangeInACancelledScopeFailsBeforeReachingTheConnector() {
		RequestScopeExchangeFilter filter = new RequestScopeExchangeFilter();
		CancellableScope root = CancellableScope.root(ScopeSettings.defaults());
		try (CancellableScope scope = root.openChild()) {
			scope.cancel(CancellationReason.CANCELLED);
			List<ClientRequest> reached = new ArrayList<>();
			scope.call(() -> assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(() -> filter
				.filter(ClientRequest.create(HttpMethod.GET, URI.create("http://localhost/")).build(), (request) -> {
					reached.add(request);
					return Mono.empty();
				})
				.block()));
			assertThat(reached).isEmpty();
		}
		finally {
			root.close();
		}
	}

	private static ClientRequest sent(RequestScopeExchangeFilter filter, String uri) {
		AtomicReference<ClientRequest> sent = new AtomicReference<>();
		filter.filter(ClientRequest.create(HttpMethod.GET, URI.create(uri)).build(), (request) -> {
			sent.set(request);
			return Mono.<ClientResponse>empty();
		}).block();
		return sent.get();
	}

	private static List<ExchangeFilterFunction> filters(WebClient.Builder builder) {
		List<ExchangeFilterFunction> filters = new ArrayList<>();
		builder.filters(filters::addAll);
		return filters;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserFilterConfiguration {

		static final RequestScopeExchangeFilter filter = new RequestScopeExchangeFilter("X-Mine");

		@Bean
		RequestScopeExchangeFilter myFilter() {
			return filter;
		}

	}

}
