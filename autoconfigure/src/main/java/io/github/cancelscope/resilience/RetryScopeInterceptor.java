package io.github.cancelscope.resilience;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.ScopeOptions;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.StringValueResolver;

/**
 * Runs a {@code @Retryable} call, with Spring's retry interceptor inside it, in a child of the
 * calling thread's scope, and its back-off sleeps in an interruptible region of that child: a
 * cancellation ends a sleep at once, and the caller gets the {@link ScopeCancelledException}, not
 * the last attempt's failure.
 */
final class RetryScopeInterceptor implements MethodInterceptor {

	private final Duration minRemaining;

	private final @Nullable StringValueResolver resolver;

	private final Map<Method, Optional<RetryDelays>> delays = new ConcurrentHashMap<>();

	RetryScopeInterceptor(Duration minRemaining, @Nullable StringValueResolver resolver) {
		this.minRemaining = minRemaining;
		this.resolver = resolver;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Optional<RequestScope> found = RequestScope.find();
		Optional<RetryDelays> delays = (found.isPresent()) ? delays(invocation) : Optional.empty();
		if (delays.isEmpty()) {
			return invocation.proceed();
		}
		RequestScope caller = found.get();
		caller.throwIfCancelled();
		try (CancellableScope scope = caller.openChild(ScopeOptions.of("retry", invocation.getMethod().getName()))) {
			RetryRun run = new RetryRun(scope, delays.get(), this.minRemaining);
			RetryRun previous = run.bind();
			try {
				return scope.call(() -> scope.interruptible("retry", invocation::proceed));
			}
			catch (Throwable failure) {
				throw translate(caller, run, failure);
			}
			finally {
				RetryRun.restore(previous);
			}
		}
	}

	private static Throwable translate(RequestScope caller, RetryRun run, Throwable failure) {
		Optional<Cancellation> cancellation = caller.cancellation();
		if (cancellation.isPresent()) {
			ScopeCancelledException cancelled = ScopeCancelledException.findIn(failure);
			if (cancelled != null && cancelled.reason() == cancellation.get().reason()) {
				return cancelled;
			}
			ScopeCancelledException exception = cancellation.get().toException();
			exception.addSuppressed(failure);
			return exception;
		}
		Throwable givenUpAfter = run.givenUpAfter();
		return (givenUpAfter != null) ? givenUpAfter : failure;
	}

	private Optional<RetryDelays> delays(MethodInvocation invocation) {
		Method method = invocation.getMethod();
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : method.getDeclaringClass();
		return this.delays.computeIfAbsent(method,
				(key) -> Optional.ofNullable(RetryDelays.of(method, targetClass, this.resolver)));
	}

}
