package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * Binds the current scope to a thread for the length of a call, with the forked task that thread
 * runs and its innermost abortable region: one {@link Frame} per binding. The one class that knows
 * how a binding is held, so that it can be held another way where {@link ScopedValue} is missing.
 */
final class ScopeBinding {

	private static final ScopedValue<Frame> FRAME = ScopedValue.newInstance();

	private ScopeBinding() {
	}

	/**
	 * What is bound to a thread: the current scope, the fork the thread runs (if it is a fork's
	 * thread), and the innermost abortable region running on it.
	 */
	record Frame(DefaultScope scope, @Nullable Fork<?> fork, @Nullable AbortableRegion region) {
	}

	static @Nullable Frame frame() {
		return FRAME.isBound() ? FRAME.get() : null;
	}

	static RequestScope current() {
		Frame frame = frame();
		if (frame == null) {
			throw new IllegalStateException("No RequestScope on thread '" + Thread.currentThread().getName()
					+ "'. RequestScope.current() works inside an HTTP request handled by the cancelscope starter, "
					+ "inside a method annotated with @Scoped, and inside a task forked from a scope. "
					+ "Elsewhere, open a scope with CancellableScope.openChild(...) and run the work with call(...), "
					+ "or use RequestScope.find() where running outside a scope is expected.");
		}
		return frame.scope();
	}

	static @Nullable RequestScope currentOrNull() {
		Frame frame = frame();
		return (frame != null) ? frame.scope() : null;
	}

	static @Nullable Fork<?> currentFork() {
		Frame frame = frame();
		return (frame != null) ? frame.fork() : null;
	}

	static @Nullable AbortableRegion currentRegion() {
		Frame frame = frame();
		return (frame != null) ? frame.region() : null;
	}

	/**
	 * Runs {@code op} with {@code scope} current, keeping the thread's fork and region.
	 */
	static <R, X extends Throwable> R callIn(DefaultScope scope, CheckedCallable<? extends R, X> op) throws X {
		Frame outer = frame();
		Frame frame = (outer == null) ? new Frame(scope, null, null) : new Frame(scope, outer.fork(), outer.region());
		return call(frame, op);
	}

	/**
	 * Runs {@code op} with {@code region} as the innermost region, keeping the current scope and fork.
	 */
	static <R, X extends Throwable> R callInRegion(DefaultScope scope, AbortableRegion region,
			CheckedCallable<? extends R, X> op) throws X {
		Frame outer = frame();
		return call(new Frame((outer != null) ? outer.scope() : scope, (outer != null) ? outer.fork() : null, region),
				op);
	}

	/**
	 * Runs {@code op} on a fork's own thread, with the fork's scope current.
	 */
	static <R, X extends Throwable> R callInFork(DefaultScope scope, Fork<?> fork, CheckedCallable<? extends R, X> op)
			throws X {
		return call(new Frame(scope, fork, null), op);
	}

	private static <R, X extends Throwable> R call(Frame frame, CheckedCallable<? extends R, X> op) throws X {
		return ScopedValue.where(FRAME, frame).call(op::call);
	}

}
