package io.github.cancelscope.autoconfigure.scheduling;

import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.core.Ordered;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.Schedules;

/**
 * Proxies beans with {@link Scheduled @Scheduled} methods so that each run is a scope of kind
 * {@value #KIND}: a child of the application scope (or of the caller's scope, such as a
 * {@code @Scoped} method's, when the method is called from inside one), named {@code Type.method}.
 * Shutdown cancels a run still going after the grace, so its queries stop and its cleanups run.
 */
final class ScheduledRunPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	/** Kind of the scope of a {@code @Scheduled} run. */
	static final String KIND = "scheduled";

	ScheduledRunPostProcessor(Supplier<CancellableScope> applicationScope) {
		ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(null, Scheduled.class, true))
			.union(new AnnotationMatchingPointcut(null, Schedules.class, true));
		this.advisor = new DefaultPointcutAdvisor(pointcut, new ScheduledRun(applicationScope));
		setBeforeExistingAdvisors(true);
		// before Spring's ScheduledAnnotationBeanPostProcessor (lowest precedence), so that what it
		// schedules is the proxy
		setOrder(Ordered.LOWEST_PRECEDENCE - 100);
	}

	private static final class ScheduledRun implements MethodInterceptor {

		private static final Log logger = LogFactory.getLog(ScheduledRunPostProcessor.class);

		private final Supplier<CancellableScope> applicationScope;

		ScheduledRun(Supplier<CancellableScope> applicationScope) {
			this.applicationScope = applicationScope;
		}

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			Object target = invocation.getThis();
			Class<?> type = (target != null) ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass();
			String name = type.getSimpleName() + "." + invocation.getMethod().getName();
			ScopeOptions options = ScopeOptions.of(KIND, name);
			CancellableScope run;
			try {
				run = RequestScope.find()
					.map((parent) -> parent.openChild(options))
					.orElseGet(() -> this.applicationScope.get().openChild(options));
			}
			catch (IllegalStateException ex) {
				// the application scope has ended: the scheduler fired while the application stops
				logger.debug("Skipped scheduled run of " + name + ": the application is shutting down");
				return null;
			}
			try (run) {
				return run.call(() -> run.interruptible(KIND, invocation::proceed));
			}
			catch (Throwable ex) {
				if (run.cancellation().filter((c) -> c.reason() == CancellationReason.SHUTDOWN).isEmpty()) {
					throw ex;
				}
				// stopped by shutdown, as asked, however the job reports it (a ScopeCancelledException,
				// an InterruptedException, a failed query): not a failure of the job
				logger.info("Scheduled run of " + name + " cancelled by shutdown (" + ex.getClass().getName() + ")");
				return null;
			}
		}

	}

}
