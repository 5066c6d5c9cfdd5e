package io.github.cancelscope.resilience;

import java.util.Optional;

import io.github.cancelscope.RequestScope;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@code @ConcurrencyLimit} call once it holds its permit, inside Spring's throttle: a call
 * whose scope was cancelled while it got the permit does not start (the throttle gives the permit
 * back), and the interrupt that ends a permit wait never reaches the method's own code.
 */
final class PermitHeldInterceptor implements MethodInterceptor {

	private static final Runnable NOTHING = () -> {
	};

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Optional<RequestScope> found = RequestScope.find();
		if (found.isEmpty()) {
			return invocation.proceed();
		}
		return found.get().abortable("concurrency-limit-permit", NOTHING, invocation::proceed);
	}

}
