package io.github.cancelscope.autoconfigure.web.reactive;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.web.client.DeadlineHeaderPolicy;
import io.github.cancelscope.web.reactive.RequestScopeExchangeFilter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * {@link AutoConfiguration Auto-configuration} that binds the exchanges of every {@link WebClient}
 * built by Spring Boot's {@code WebClient.Builder} to the scope of the subscribing thread, for
 * callers that block on them. Deadline headers follow the same properties, and the same
 * {@link DeadlineHeaderPolicy} bean, as {@code RestClient}'s.
 *
 * @see RequestScopeExchangeFilter
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass({ WebClient.class, WebClientCustomizer.class })
@ConditionalOnCancelScopeEnabled
@ConditionalOnBooleanProperty(name = "cancelscope.http-client.enabled", matchIfMissing = true)
public final class CancelScopeWebClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RequestScopeExchangeFilter cancelScopeExchangeFilter(CancelScopeProperties properties,
			ObjectProvider<DeadlineHeaderPolicy> policy) {
		CancelScopeProperties.Request request = properties.getRequest();
		CancelScopeProperties.Request.DeadlineHeaders.Outbound outbound = request.getDeadlineHeaders().getOutbound();
		return new RequestScopeExchangeFilter(request.getTimeoutHeader()).withDeadlineHeaders(outbound.getFormats())
			.withDeadlineHeaderPolicy(policy.getIfAvailable(
					() -> DeadlineHeaderPolicy.hosts(outbound.getIncludeHosts(), outbound.getExcludeHosts())));
	}

	@Bean
	WebClientCustomizer cancelScopeWebClientCustomizer(RequestScopeExchangeFilter filter) {
		return (builder) -> builder.filter(filter);
	}

}
