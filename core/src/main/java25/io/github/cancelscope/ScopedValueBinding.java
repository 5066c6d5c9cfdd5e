package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * Holds the frame in a {@link ScopedValue}, final since Java 25: bound for exactly the length of
 * the call, cheap to read, and gone when the call returns. Compiled for Java 25 and loaded only
 * there.
 */
final class ScopedValueBinding implements ThreadBinding {

	// what orElse returns when nothing is bound: one lookup instead of isBound() and get()
	private static final Object UNBOUND = new Object();

	// static final, so that the JIT folds its lookup; one binding is used per JVM
	private static final ScopedValue<Object> FRAME = ScopedValue.newInstance();

	@Override
	public ScopeBinding.@Nullable Frame frame() {
		Object frame = FRAME.orElse(UNBOUND);
		return (frame != UNBOUND) ? (ScopeBinding.Frame) frame : null;
	}

	@Override
	public <R, X extends Throwable> R call(ScopeBinding.Frame frame, CheckedCallable<? extends R, X> op) throws X {
		return ScopedValue.where(FRAME, (Object) frame).call(op::call);
	}

	@Override
	public String toString() {
		return "scoped-value";
	}

}
