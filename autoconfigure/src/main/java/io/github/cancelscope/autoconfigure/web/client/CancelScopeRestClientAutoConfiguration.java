package io.github.cancelscope.autoconfigure.web.client;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.web.client.DeadlineHeaderPolicy;
import io.github.cancelscope.web.client.RequestScopeInterceptor;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.autoconfigure.ClientHttpRequestFactoryBuilderCustomizer;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * {@link AutoConfiguration Auto-configuration} that binds the calls of every {@link RestClient}
 * and {@code RestTemplate} built by Spring Boot's builders to the scope of the calling thread. A
 * {@link DeadlineHeaderPolicy} bean, when there is one, decides which calls carry deadline headers,
 * in place of {@code cancelscope.request.deadline-headers.outbound.include-hosts} and
 * {@code exclude-hosts}.
 *
 * @see RequestScopeInterceptor
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass({ RestClient.class, RestClientCustomizer.class })
@ConditionalOnCancelScopeEnabled
@ConditionalOnBooleanProperty(name = "cancelscope.http-client.enabled", matchIfMissing = true)
public final class CancelScopeRestClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RequestScopeInterceptor cancelScopeRequestInterceptor(CancelScopeProperties properties,
			ObjectProvider<DeadlineHeaderPolicy> policy) {
		CancelScopeProperties.Request request = properties.getRequest();
		CancelScopeProperties.Request.DeadlineHeaders.Outbound outbound = request.getDeadlineHeaders().getOutbound();
		return new RequestScopeInterceptor(request.getTimeoutHeader()).withDeadlineHeaders(outbound.getFormats())
			.withDeadlineHeaderPolicy(policy.getIfAvailable(
					() -> DeadlineHeaderPolicy.hosts(outbound.getIncludeHosts(), outbound.getExcludeHosts())));
	}

	@Bean
	RestClientCustomizer cancelScopeRestClientCustomizer(RequestScopeInterceptor interceptor) {
		return (builder) -> builder.requestInterceptor(interceptor);
	}

	@Bean
	RestTemplateCustomizer cancelScopeRestTemplateCustomizer(RequestScopeInterceptor interceptor) {
		return (restTemplate) -> restTemplate.getInterceptors().add(interceptor);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ClientHttpRequestFactoryBuilderCustomizer.class)
	static class RequestFactoryConfiguration {

		@Bean
		UnabortableRequestFactoryWarning cancelScopeRequestFactoryWarning() {
			return new UnabortableRequestFactoryWarning();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ ClientHttpRequestFactoryBuilderCustomizer.class, HttpClientBuilder.class })
	static class HttpComponentsConfiguration {

		@Bean
		HttpComponentsCancellationCustomizer cancelScopeHttpComponentsCancellation() {
			return new HttpComponentsCancellationCustomizer();
		}

	}

}
