package io.github.cancelscope.autoconfigure.web.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.web.client.DeadlineHeaderPolicy;
import io.github.cancelscope.web.client.RequestScopeInterceptor;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.mock.http.client.MockClientHttpRequest;
import org.springframework.mock.http.client.MockClientHttpResponse;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeRestClientAutoConfiguration}.
 */
@ExtendWith(OutputCaptureExtension.class)
class CancelScopeRestClientAutoConfigurationTests {

	private static final String WARNING = "which cancelscope cannot reliably abort";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
				CancelScopeRestClientAutoConfiguration.class, HttpClientAutoConfiguration.class,
				ImperativeHttpClientAutoConfiguration.class, RestClientAutoConfiguration.class,
				RestTemplateAutoConfiguration.class));

	@Test
	void restClientBuilderAndRestTemplateBuilderGetTheInterceptor() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(RequestScopeInterceptor.class);
			RequestScopeInterceptor interceptor = context.getBean(RequestScopeInterceptor.class);
			assertThat(restClientInterceptors(context)).containsExactly(interceptor);
			assertThat(context.getBean(RestTemplateBuilder.class).build().getInterceptors())
				.containsExactly(interceptor);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.http-client.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RequestScopeInterceptor.class);
			assertThat(restClientInterceptors(context)).isEmpty();
			assertThat(context.getBean(RestTemplateBuilder.class).build().getInterceptors()).isEmpty();
		});
	}

	@Test
	void backsOffWhenCancelScopeIsDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RequestScopeInterceptor.class);
			assertThat(restClientInterceptors(context)).isEmpty();
		});
	}

	@Test
	void isIgnoredWhenRestClientIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RestClient.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RequestScopeInterceptor.class));
	}

	@Test
	void cancelsHttpComponentsRequestsWhenHttpComponentsIsOnTheClasspath() {
		this.contextRunner.run((context) -> assertThat(context).hasBean("cancelScopeHttpComponentsCancellation"));
	}

	@Test
	void leavesHttpComponentsAloneWhenItIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HttpClientBuilder.class)).run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(RequestScopeInterceptor.class)
				.doesNotHaveBean("cancelScopeHttpComponentsCancellation");
		});
	}

	@Test
	void userDefinedInterceptorTakesPrecedence() {
		this.contextRunner.withUserConfiguration(UserInterceptorConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(RequestScopeInterceptor.class);
			assertThat(restClientInterceptors(context)).containsExactly(UserInterceptorConfiguration.interceptor);
		});
	}

	@Test
	void sendsTheRemainingTimeInTheConfiguredHeader() {
		this.contextRunner.withPropertyValues("cancelscope.request.timeout-header=X-Deadline-Ms").run((context) -> {
			RequestScopeInterceptor interceptor = context.getBean(RequestScopeInterceptor.class);
			CancellableScope application = context.getBean(CancellableScope.class);
			HttpHeaders sent = new HttpHeaders();
			try (CancellableScope scope = application.openChild(Duration.ofSeconds(2))) {
				scope.call(() -> interceptor.intercept(new MockClientHttpRequest(HttpMethod.GET, URI.create("/")),
						new byte[0], (request, body) -> {
							sent.addAll(request.getHeaders());
							return new MockClientHttpResponse(new byte[0], HttpStatus.OK);
						}));
			}
			assertThat(sent.containsHeader("X-Request-Timeout-Ms")).isFalse();
			assertThat(Long.parseLong(sent.getFirst("X-Deadline-Ms"))).isPositive().isLessThanOrEqualTo(2000);
		});
	}

	@Test
	void sendsTheConfiguredDeadlineHeadersToIncludedHostsOnly() {
		this.contextRunner
			.withPropertyValues("cancelscope.request.deadline-headers.outbound.formats=timeout-header,grpc-timeout",
					"cancelscope.request.deadline-headers.outbound.include-hosts=127.0.0.1,*.svc.cluster.local")
			.run((context) -> {
				Map<String, String> received = DeadlineHeadersOutboundTests
					.callWithDeadline(context.getBean(RequestScopeInterceptor.class), Duration.ofSeconds(2));
				assertThat(received).containsKeys(DeadlineHeadersOutboundTests.TIMEOUT_HEADER,
						DeadlineHeadersOutboundTests.GRPC_TIMEOUT);
				assertThat(received).doesNotContainKey(DeadlineHeadersOutboundTests.ENVOY);
			});
	}

	@Test
	void sendsNoDeadlineHeadersToExcludedHosts() {
		this.contextRunner.withPropertyValues("cancelscope.request.deadline-headers.outbound.exclude-hosts=127.0.0.1")
			.run((context) -> assertThat(DeadlineHeadersOutboundTests
				.callWithDeadline(context.getBean(RequestScopeInterceptor.class), Duration.ofSeconds(2)))
				.doesNotContainKey(DeadlineHeadersOutboundTests.TIMEOUT_HEADER));
	}

	@Test
	void userDefinedDeadlineHeaderPolicyTakesPrecedence() {
		this.contextRunner.withPropertyValues("cancelscope.request.deadline-headers.outbound.exclude-hosts=127.0.0.1")
			.withBean(DeadlineHeaderPolicy.class, () -> (uri) -> uri.getPath().equals("/fast"))
			.run((context) -> assertThat(DeadlineHeadersOutboundTests
				.callWithDeadline(context.getBean(RequestScopeInterceptor.class), Duration.ofSeconds(2)))
				.containsKey(DeadlineHeadersOutboundTests.TIMEOUT_HEADER));
	}

	@Test
	void malformedHostPatternFailsStartUp() {
		this.contextRunner.withPropertyValues("cancelscope.request.deadline-headers.outbound.include-hosts=a.*.com")
			.run((context) -> assertThat(context).getFailure().rootCause().hasMessageContaining("a.*.com"));
	}

	@Test
	void leavesCallsOutsideAnyScopeAlone() {
		this.contextRunner.run((context) -> {
			RequestScopeInterceptor interceptor = context.getBean(RequestScopeInterceptor.class);
			HttpHeaders sent = new HttpHeaders();
			MockClientHttpResponse response = new MockClientHttpResponse(new byte[0], HttpStatus.OK);
			ClientHttpResponse received = interceptor.intercept(
					new MockClientHttpRequest(HttpMethod.GET, URI.create("/")), new byte[0], (request, body) -> {
						sent.addAll(request.getHeaders());
						return response;
					});
			assertThat(received).isSameAs(response);
			assertThat(sent.isEmpty()).isTrue();
		});
	}

	@Test
	void warnsAtStartUpAboutARequestFactoryThatCannotBeAborted(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.http.clients.imperative.factory=simple").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("SimpleClientHttpRequestFactory (HttpURLConnection), " + WARNING);
		});
	}

	@Test
	void doesNotWarnAboutRequestFactoriesThatCanBeAborted(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.http.clients.imperative.factory=jdk")
			.run((context) -> assertThat(context).hasNotFailed());
		this.contextRunner.withPropertyValues("spring.http.clients.imperative.factory=http-components")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain(WARNING);
	}

	private static List<ClientHttpRequestInterceptor> restClientInterceptors(AssertableApplicationContext context) {
		List<ClientHttpRequestInterceptor> interceptors = new ArrayList<>();
		context.getBean(RestClient.Builder.class).requestInterceptors(interceptors::addAll);
		return interceptors;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserInterceptorConfiguration {

		static final RequestScopeInterceptor interceptor = new RequestScopeInterceptor("X-Mine");

		@Bean
		RequestScopeInterceptor myInterceptor() {
			return interceptor;
		}

	}

}
