package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * Holds the frame in a plain, never inherited {@link ThreadLocal}, set and restored in
 * try/finally: on Java 17 to 24, or where {@code -Dcancelscope.binding=thread-local} asks for it.
 */
final class ThreadLocalBinding implements ThreadBinding {

	private final ThreadLocal<ScopeBinding.Frame> frames = new ThreadLocal<>();

	@Override
	public ScopeBinding.@Nullable Frame frame() {
		return this.frames.get();
	}

	@Override
	public <R, X extends Throwable> R call(ScopeBinding.Frame frame, CheckedCallable<? extends R, X> op) throws X {
		ScopeBinding.Frame outer = this.frames.get();
		this.frames.set(frame);
		try {
			return op.call();
		}
		finally {
			if (outer != null) {
				this.frames.set(outer);
			}
			else {
				// nothing stays behind on a pooled thread
				this.frames.remove();
			}
		}
	}

	@Override
	public String toString() {
		return "thread-local";
	}

}
