package io.github.cancelscope.autoconfigure.actuate;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.autoconfigure.escape.EscapedThreads;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} of the {@link CancelScopeEndpoint}. Like Spring
 * Boot's own endpoints, it is exposed over HTTP only when the application says so, for example
 * with {@code management.endpoints.web.exposure.include=cancelscope}.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnCancelScopeEnabled
@ConditionalOnAvailableEndpoint(CancelScopeEndpoint.class)
public final class CancelScopeEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CancelScopeEndpoint cancelScopeEndpoint(CancellableScope applicationScope,
			ObjectProvider<EscapedThreads> escapedThreads) {
		return new CancelScopeEndpoint(applicationScope, escapedThreads.getIfAvailable());
	}

}
