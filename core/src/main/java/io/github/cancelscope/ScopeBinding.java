package io.github.cancelscope;

import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The scoped values that bind a scope, a forked task's control and the innermost abortable region
 * to a thread.
 */
final class ScopeBinding {

	static final ScopedValue<DefaultScope> CURRENT = ScopedValue.newInstance();

	static final ScopedValue<Fork<?>> FORK = ScopedValue.newInstance();

	static final ScopedValue<AbortableRegion> REGION = ScopedValue.newInstance();

	private ScopeBinding() {
	}

	static RequestScope current() {
		return CURRENT.orElseThrow(ScopeBinding::noScope).view();
	}

	private static IllegalStateException noScope() {
		return new IllegalStateException("No RequestScope on thread '" + Thread.currentThread().getName()
				+ "'. RequestScope.current() works inside an HTTP request handled by the cancelscope starter, "
				+ "inside a method annotated with @Scoped, and inside a task forked from a scope. "
				+ "Elsewhere, open a scope with CancellableScope.openChild(...) and run the work with call(...), "
				+ "or use RequestScope.find() where running outside a scope is expected.");
	}

	static Optional<RequestScope> find() {
		return CURRENT.isBound() ? Optional.of(CURRENT.get().view()) : Optional.empty();
	}

	static @Nullable Fork<?> currentFork() {
		return FORK.isBound() ? FORK.get() : null;
	}

	static @Nullable AbortableRegion currentRegion() {
		return REGION.isBound() ? REGION.get() : null;
	}

}
