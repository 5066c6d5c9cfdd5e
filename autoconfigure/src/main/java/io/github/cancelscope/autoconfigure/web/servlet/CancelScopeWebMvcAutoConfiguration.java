package io.github.cancelscope.autoconfigure.web.servlet;

import java.util.List;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.InFlightScopes;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.ClientDisconnectWatch;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * {@link AutoConfiguration Auto-configuration} that gives each servlet request a scope and answers
 * cancelled requests by their reason.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(Filter.class)
@ConditionalOnBean(CancellableScope.class)
public final class CancelScopeWebMvcAutoConfiguration {

	/**
	 * Order of the request scope filter: after the observation filter, so the scope runs inside the
	 * request's observation, and before everything that does work for the request.
	 */
	public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	/** Name of the filter registration bean; define one with this name to replace it. */
	public static final String FILTER_BEAN_NAME = "cancelScopeRequestFilter";

	@Bean(FILTER_BEAN_NAME)
	@ConditionalOnMissingBean(name = FILTER_BEAN_NAME)
	FilterRegistrationBean<RequestScopeFilter> cancelScopeRequestFilter(
			CancellableScope applicationScope, InFlightScopes inFlight, CancelScopeProperties properties,
			ObjectProvider<ClientDisconnectWatch> disconnects) {
		CancelScopeProperties.Request request = properties.getRequest();
		RequestTimeouts timeouts = new RequestTimeouts(request.getTimeout(), request.getMaxTimeout(),
				request.getTimeoutHeader());
		FilterRegistrationBean<RequestScopeFilter> registration = new FilterRegistrationBean<>(
				new RequestScopeFilter(applicationScope, timeouts, inFlight,
						disconnects.getIfAvailable(() -> ClientDisconnectWatch.NONE)));
		registration.setOrder(FILTER_ORDER);
		registration.setDispatcherTypes(DispatcherType.REQUEST);
		return registration;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebMvcConfigurer.class)
	static class ExceptionResolverConfiguration {

		@Bean
		WebMvcConfigurer cancelScopeExceptionResolverConfigurer() {
			return new ExceptionResolverRegistrar();
		}

	}

	/**
	 * Puts the {@link ScopeCancelledExceptionResolver} first among the dispatcher's resolvers.
	 */
	static final class ExceptionResolverRegistrar implements WebMvcConfigurer {

		@Override
		public void extendHandlerExceptionResolvers(List<HandlerExceptionResolver> resolvers) {
			resolvers.add(0, new ScopeCancelledExceptionResolver(resolvers));
		}

	}

}
