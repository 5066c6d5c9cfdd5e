package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * Holds the frame in a plain, never inherited {@link ThreadLocal}, set and restored in
 * try/finally: on Java 17 to 24, or where {@code -Dcancelscope.binding=thread-local} asks for it.
 */
final class ThreadLocalBinding implements ThreadBinding {

	// static final, so that the JIT folds its lookup; one binding is used per JVM
	private static final ThreadLocal<ScopeBinding.Frame> FRAMES = new ThreadLocal<>();

	@Override
	public ScopeBinding.@Nullable Frame frame() {
		return FRAMES.get();
	}

	@Override
	public <R, X extends Throwable> R call(ScopeBinding.Frame frame, CheckedCallable<? extends R, X> op) throws X {
		ScopeBinding.Frame outer = FRAMES.get();
		FRAMES.set(frame);
		try {
			return op.call();
		}
		finally {
			if (outer != null) {
				FRAMES.set(outer);
			}
			else {
				// nothing stays behind on a pooled thread
				FRAMES.remove();
			}
		}
	}

	@Override
	public String toString() {
		return "thread-local";
	}

}
