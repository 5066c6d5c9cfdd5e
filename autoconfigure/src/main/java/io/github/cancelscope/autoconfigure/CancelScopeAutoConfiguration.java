package io.github.cancelscope.autoconfigure;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.spi.ContextCapture;
import io.github.cancelscope.spi.ScopeClock;
import io.github.cancelscope.spi.ScopeObserver;
import io.github.cancelscope.spi.ScopeSettings;
import io.micrometer.context.ContextSnapshotFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * {@link AutoConfiguration Auto-configuration} of the application scope, of the injectable
 * {@link RequestScope}, and of {@link io.github.cancelscope.Scoped @Scoped} methods.
 */
@AutoConfiguration
@ConditionalOnCancelScopeEnabled
@EnableConfigurationProperties(CancelScopeProperties.class)
public final class CancelScopeAutoConfiguration {

	/** Name of the application scope bean, the parent of every request scope. */
	public static final String APPLICATION_SCOPE_BEAN_NAME = "cancelScopeApplicationScope";

	@Bean
	@ConditionalOnMissingBean
	ScopeClock cancelScopeClock() {
		return ScopeClock.system();
	}

	@Bean(name = APPLICATION_SCOPE_BEAN_NAME, destroyMethod = "close")
	@ConditionalOnMissingBean(CancellableScope.class)
	CancellableScope cancelScopeApplicationScope(CancelScopeProperties properties, ScopeClock clock,
			ObjectProvider<ContextCapture> contextCapture, ObjectProvider<ScopeObserver> observers) {
		return CancellableScope.root(ScopeSettings.defaults()
			.withClock(clock)
			.withCloseTimeout(properties.getCloseTimeout())
			.withMaxPlatformForkThreads(properties.getFork().getMaxPlatformThreads())
			.withContextCapture(contextCapture.getIfAvailable(() -> ContextCapture.NONE))
			.withObserver(ScopeObserver.of(observers.orderedStream().toList())));
	}

	@Bean
	ScopeObserver cancelScopeLogging(CancelScopeProperties properties) {
		CancelScopeProperties.Log log = properties.getLog();
		boolean mdc = StringUtils.hasText(log.getMdcKey())
				&& ClassUtils.isPresent("org.slf4j.MDC", CancelScopeAutoConfiguration.class.getClassLoader());
		return new ScopeLogging(log.getCancellationLevel(), mdc ? log.getMdcKey() : null);
	}

	@Bean
	@ConditionalOnMissingBean
	ApplicationScopeShutdown cancelScopeApplicationScopeShutdown(
			CancellableScope applicationScope, CancelScopeProperties properties) {
		return new ApplicationScopeShutdown(applicationScope, properties.getShutdown().getGrace(),
				properties.getCloseTimeout());
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static StartupRunnerPostProcessor cancelScopeStartupRunnerPostProcessor(
			ObjectProvider<CancellableScope> applicationScope) {
		// runners are called through their interface, and may be records or final classes
		return new StartupRunnerPostProcessor(applicationScope::getObject);
	}

	// primary: the application scope is a RequestScope too, and must not be what is injected
	@Bean
	@Primary
	@ConditionalOnMissingBean(value = RequestScope.class, ignored = CancellableScope.class)
	RequestScope requestScope() {
		return RequestScope.forCurrentThread();
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ScopedMethodPostProcessor scopedMethodPostProcessor(Environment environment,
			ObjectProvider<CancellableScope> applicationScope) {
		ScopedMethodPostProcessor postProcessor = new ScopedMethodPostProcessor(applicationScope::getObject);
		postProcessor.setProxyTargetClass(proxyTargetClass(environment));
		return postProcessor;
	}

	// proxy classes, as Spring Boot does for its own AOP, so beans stay injectable by class
	private static boolean proxyTargetClass(Environment environment) {
		return environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ContextSnapshotFactory.class)
	static class ContextPropagationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ContextCapture cancelScopeContextCapture() {
			return new MicrometerContextCapture(ContextSnapshotFactory.builder().build());
		}

	}

}
