package io.github.cancelscope.autoconfigure.web.servlet;

import java.util.ArrayList;
import java.util.List;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.web.servlet.ClientDisconnectWatch;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.MessageSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.util.ClassUtils;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * {@link AutoConfiguration Auto-configuration} that gives each servlet request a scope and answers
 * cancelled requests by their reason.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(Filter.class)
@ConditionalOnCancelScopeEnabled
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
			CancellableScope applicationScope, CancelScopeProperties properties,
			ObjectProvider<ClientDisconnectWatch> disconnects, CancellationResponses responses) {
		CancelScopeProperties.Request request = properties.getRequest();
		RequestTimeouts timeouts = new RequestTimeouts(request.getTimeout(), request.getMaxTimeout(),
				request.getTimeoutHeader(), request.getDeadlineHeaders().getInbound().getFormats());
		FilterRegistrationBean<RequestScopeFilter> registration = new FilterRegistrationBean<>(
				new RequestScopeFilter(applicationScope, timeouts,
						disconnects.getIfAvailable(() -> ClientDisconnectWatch.NONE), responses));
		registration.setOrder(FILTER_ORDER);
		registration.setDispatcherTypes(DispatcherType.REQUEST);
		return registration;
	}

	@Bean
	CancellationResponses cancelScopeCancellationResponses(ListableBeanFactory beanFactory,
			ObjectProvider<MessageSource> messageSource) {
		return new CancellationResponses(SingletonSupplier.of(() -> MessageConverters.of(beanFactory)),
				messageSource.getIfAvailable());
	}

	/**
	 * The message converters of Spring MVC's handlers where there are some, so that a problem is
	 * written as theirs would be, and Spring's defaults otherwise.
	 */
	private static final class MessageConverters {

		private static final boolean MVC_PRESENT = ClassUtils.isPresent(
				"org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter",
				MessageConverters.class.getClassLoader());

		static List<HttpMessageConverter<?>> of(ListableBeanFactory beanFactory) {
			if (MVC_PRESENT) {
				RequestMappingHandlerAdapter adapter = beanFactory.getBeanProvider(RequestMappingHandlerAdapter.class)
					.getIfAvailable();
				if (adapter != null) {
					return adapter.getMessageConverters();
				}
			}
			List<HttpMessageConverter<?>> defaults = new ArrayList<>();
			HttpMessageConverters.forServer().registerDefaults().build().forEach(defaults::add);
			return defaults;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebMvcConfigurer.class)
	static class ExceptionResolverConfiguration {

		@Bean
		WebMvcConfigurer cancelScopeExceptionResolverConfigurer(CancellationResponses responses) {
			return new ExceptionResolverRegistrar(responses);
		}

	}

	/**
	 * Puts the {@link ScopeCancelledExceptionResolver} first among the dispatcher's resolvers.
	 */
	static final class ExceptionResolverRegistrar implements WebMvcConfigurer {

		private final CancellationResponses responses;

		ExceptionResolverRegistrar(CancellationResponses responses) {
			this.responses = responses;
		}

		@Override
		public void extendHandlerExceptionResolvers(List<HandlerExceptionResolver> resolvers) {
			resolvers.add(0, new ScopeCancelledExceptionResolver(resolvers, this.responses));
		}

	}

}
