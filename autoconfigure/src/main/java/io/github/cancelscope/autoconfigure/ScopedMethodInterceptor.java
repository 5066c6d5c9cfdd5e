package io.github.cancelscope.autoconfigure;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;

/**
 * Runs a {@link io.github.cancelscope.Scoped @Scoped} method in a child of the caller's scope (or of
 * the application scope outside any), and closes the child when the call ends.
 */
final class ScopedMethodInterceptor implements MethodInterceptor {

	private final ScopedTimeouts timeouts;

	private final Supplier<CancellableScope> applicationScope;

	ScopedMethodInterceptor(ScopedTimeouts timeouts, Supplier<CancellableScope> applicationScope) {
		this.timeouts = timeouts;
		this.applicationScope = applicationScope;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		Duration timeout = this.timeouts.timeoutOf(invocation.getMethod(), targetClass);
		ScopeOrigin origin = new ScopeOrigin(ScopeOrigin.Kind.METHOD, nameOf(invocation.getMethod(), targetClass));
		CancellableScope child = ScopeOrigin.opening(origin, () -> RequestScope.find()
			.map((parent) -> parent.openChild(timeout))
			.orElseGet(() -> this.applicationScope.get().openChild(timeout)));
		Object result;
		try {
			result = child.call(invocation::proceed);
		}
		catch (Throwable ex) {
			try {
				child.close();
			}
			catch (RuntimeException cleanupFailure) {
				ex.addSuppressed(cleanupFailure);
			}
			throw ex;
		}
		child.close();
		return result;
	}

	private static String nameOf(Method method, @Nullable Class<?> targetClass) {
		Class<?> type = (targetClass != null) ? targetClass : method.getDeclaringClass();
		return type.getSimpleName() + "." + method.getName();
	}

}
