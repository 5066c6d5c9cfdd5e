package io.github.cancelscope.autoconfigure;

import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;

/**
 * Runs a {@link io.github.cancelscope.Scoped @Scoped} method in a child of the caller's scope (or of
 * the application scope outside any), and closes the child when the call ends.
 */
final class ScopedMethodInterceptor implements MethodInterceptor {

	private final ScopedMethods methods;

	private final Supplier<CancellableScope> applicationScope;

	ScopedMethodInterceptor(ScopedMethods methods, Supplier<CancellableScope> applicationScope) {
		this.methods = methods;
		this.applicationScope = applicationScope;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		ScopeOptions options = this.methods.of(invocation.getMethod(), targetClass);
		CancellableScope child = RequestScope.find()
			.map((parent) -> parent.openChild(options))
			.orElseGet(() -> this.applicationScope.get().openChild(options));
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

}
