package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * How a {@link ScopeBinding.Frame} is held for the length of a call: a {@code ScopedValue} where
 * it is final (Java 25), a {@code ThreadLocal} elsewhere. Either way the binding is set and restored
 * around the call, and never inherited by threads the call starts.
 */
interface ThreadBinding {

	/**
	 * Returns the frame bound to the calling thread.
	 */
	ScopeBinding.@Nullable Frame frame();

	/**
	 * Runs {@code op} with {@code frame} bound to the calling thread, and restores what was bound
	 * before when it returns or throws.
	 */
	<R, X extends Throwable> R call(ScopeBinding.Frame frame, CheckedCallable<? extends R, X> op) throws X;

}
