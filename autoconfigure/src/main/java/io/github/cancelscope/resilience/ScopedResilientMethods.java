package io.github.cancelscope.resilience;

import java.time.Duration;

import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.PointcutAdvisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.resilience.annotation.ConcurrencyLimitBeanPostProcessor;
import org.springframework.resilience.retry.AbstractRetryInterceptor;
import org.springframework.util.StringValueResolver;

/**
 * Binds the methods that Spring Framework's {@code @Retryable} and {@code @ConcurrencyLimit} advise
 * to the scope of the calling thread. It finds the advisors that Spring's own post-processors put on
 * a bean's proxy and places one advisor of its own on either side of each, with the same pointcut:
 * <ul>
 * <li>{@code @Retryable}: no attempt starts in a cancelled scope, a back-off sleep ends at once when
 * the scope is cancelled, the retries are given up when less time remains than {@code minRemaining}
 * or than the delay before the next attempt (the caller then gets the last failure), and a
 * cancelled caller gets the {@code ScopeCancelledException}, not a retry failure;</li>
 * <li>{@code @ConcurrencyLimit}: a thread waiting for a permit stops waiting when its scope is
 * cancelled, its deadline included, and gets the {@code ScopeCancelledException}; no permit is
 * kept.</li>
 * </ul>
 * Outside a scope the methods behave exactly as without it. It must run after Spring's
 * post-processors, so it implements no ordering interface. Declared by the starter's
 * auto-configuration; by hand:
 * {@snippet :
 * @Bean
 * static ScopedResilientMethods scopedResilientMethods() {
 *     return new ScopedResilientMethods(Duration.ZERO);
 * }
 * }
 */
public final class ScopedResilientMethods implements BeanPostProcessor, EmbeddedValueResolverAware {

	private final Duration minRemaining;

	private @Nullable StringValueResolver resolver;

	/**
	 * Creates the post-processor.
	 * @param minRemaining the least time a retry must have left before its deadline to start
	 */
	public ScopedResilientMethods(Duration minRemaining) {
		if (minRemaining.isNegative()) {
			throw new IllegalArgumentException("minRemaining must not be negative, but was " + minRemaining);
		}
		this.minRemaining = minRemaining;
	}

	@Override
	public void setEmbeddedValueResolver(StringValueResolver resolver) {
		this.resolver = resolver;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof Advised advised && !advised.isFrozen()) {
			Advisor[] advisors = advised.getAdvisors();
			for (int i = advisors.length - 1; i >= 0; i--) {
				if (advisors[i] instanceof PointcutAdvisor advisor) {
					wrap(advised, i, advisor);
				}
			}
		}
		return bean;
	}

	private void wrap(Advised advised, int position, PointcutAdvisor advisor) {
		Advice advice = advisor.getAdvice();
		if (advice instanceof AbstractRetryInterceptor) {
			surround(advised, position, advisor, new RetryScopeInterceptor(this.minRemaining, this.resolver),
					new RetryAttemptInterceptor());
		}
		else if (advice.getClass().getEnclosingClass() == ConcurrencyLimitBeanPostProcessor.class) {
			surround(advised, position, advisor, new PermitWaitInterceptor(), new PermitHeldInterceptor());
		}
	}

	private static void surround(Advised advised, int position, PointcutAdvisor advisor, MethodInterceptor outer,
			MethodInterceptor inner) {
		advised.addAdvisor(position + 1, new DefaultPointcutAdvisor(advisor.getPointcut(), inner));
		advised.addAdvisor(position, new DefaultPointcutAdvisor(advisor.getPointcut(), outer));
	}

}
