package io.github.cancelscope.autoconfigure.resilience;

import java.time.Duration;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.resilience.ScopedResilientMethods;
import io.github.cancelscope.resilience.ScopedRetryTemplates;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.resilience.annotation.ConcurrencyLimitBeanPostProcessor;
import org.springframework.resilience.retry.AbstractRetryInterceptor;

/**
 * {@link AutoConfiguration Auto-configuration} that binds the methods Spring Framework's
 * {@code @Retryable} and {@code @ConcurrencyLimit} advise (with {@code @EnableResilientMethods}),
 * and every {@code RetryTemplate} bean, to the scope of the calling thread.
 *
 * @see ScopedResilientMethods
 * @see ScopedRetryTemplates
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass({ AbstractRetryInterceptor.class, ConcurrencyLimitBeanPostProcessor.class })
@ConditionalOnCancelScopeEnabled
public final class CancelScopeResilienceAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static ScopedResilientMethods cancelScopeResilientMethods(Environment environment) {
		return new ScopedResilientMethods(minRemaining(environment));
	}

	@Bean
	@ConditionalOnMissingBean
	static ScopedRetryTemplates cancelScopeRetryTemplates(Environment environment) {
		return new ScopedRetryTemplates(minRemaining(environment));
	}

	private static Duration minRemaining(Environment environment) {
		// post-processors are created before configuration properties beans: bind the one they need
		return Binder.get(environment).bind("cancelscope.retry.min-remaining", Duration.class).orElse(Duration.ZERO);
	}

}
