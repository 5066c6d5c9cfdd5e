package io.github.cancelscope.resilience;

import java.util.Optional;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@code @ConcurrencyLimit} call, with Spring's throttle inside it, in an interruptible
 * region of the calling thread's scope: a thread waiting for a permit stops waiting when the scope
 * is cancelled (its deadline included), and the caller gets the {@link ScopeCancelledException}
 * instead of Spring's {@code InvocationRejectedException}.
 */
final class PermitWaitInterceptor implements MethodInterceptor {

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Optional<RequestScope> found = RequestScope.find();
		if (found.isEmpty()) {
			return invocation.proceed();
		}
		RequestScope scope = found.get();
		try {
			return scope.interruptible("concurrency-limit", invocation::proceed);
		}
		catch (Throwable failure) {
			Optional<Cancellation> cancellation = scope.cancellation();
			if (cancellation.isEmpty() || ScopeCancelledException.findIn(failure) != null) {
				throw failure;
			}
			ScopeCancelledException exception = cancellation.get().toException();
			exception.addSuppressed(failure);
			throw exception;
		}
	}

}
