package io.github.cancelscope.resilience;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Runs each attempt of a {@code @Retryable} call, inside Spring's retry interceptor: an attempt
 * does not start in a cancelled scope; the interrupt that ends a back-off sleep is held off while an
 * attempt runs (its own JDBC and HTTP calls are stopped by their aborts); after a failure, the
 * retries are given up when too little time remains for the next attempt.
 */
final class RetryAttemptInterceptor implements MethodInterceptor {

	private static final Runnable NOTHING = () -> {
	};

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		RetryRun run = RetryRun.current();
		if (run == null) {
			return invocation.proceed();
		}
		try {
			return run.scope().abortable("retry-attempt", NOTHING, invocation::proceed);
		}
		catch (Throwable failure) {
			run.attemptFailed(failure);
			throw failure;
		}
	}

}
