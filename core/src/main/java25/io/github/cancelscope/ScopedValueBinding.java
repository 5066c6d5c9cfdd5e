package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * Holds the frame in a {@link ScopedValue}, final since Java 25: bound for exactly the length of
 * the call, cheap to read, and gone when the call returns. Compiled for Java 25 and loaded only
 * there.
 */
final class ScopedValueBinding implements ThreadBinding {

	private final ScopedValue<ScopeBinding.Frame> frame = ScopedValue.newInstance();

	@Override
	public ScopeBinding.@Nullable Frame frame() {
		return this.frame.isBound() ? this.frame.get() : null;
	}

	@Override
	public <R, X extends Throwable> R call(ScopeBinding.Frame frame, CheckedCallable<? extends R, X> op) throws X {
		return ScopedValue.where(this.frame, frame).call(op::call);
	}

	@Override
	public String toString() {
		return "scoped-value";
	}

}
