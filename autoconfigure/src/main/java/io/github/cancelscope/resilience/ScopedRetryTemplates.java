package io.github.cancelscope.resilience;

import java.time.Duration;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.retry.RetryTemplate;

/**
 * Makes every {@link RetryTemplate} bean follow the scope of the calling thread, by decorating its
 * policy with a {@link ScopedRetryPolicy} once the bean is initialised. A policy set on the
 * template later is not decorated.
 */
public final class ScopedRetryTemplates implements BeanPostProcessor {

	private final Duration minRemaining;

	/**
	 * Creates the post-processor.
	 * @param minRemaining the least time a retry must have left before its scope's deadline
	 * @throws IllegalArgumentException if {@code minRemaining} is negative
	 */
	public ScopedRetryTemplates(Duration minRemaining) {
		if (minRemaining.isNegative()) {
			throw new IllegalArgumentException("minRemaining must not be negative, but was " + minRemaining);
		}
		this.minRemaining = minRemaining;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof RetryTemplate template) {
			template.setRetryPolicy(ScopedRetryPolicy.of(template.getRetryPolicy(), this.minRemaining));
		}
		return bean;
	}

}
