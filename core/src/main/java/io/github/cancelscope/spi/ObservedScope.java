package io.github.cancelscope.spi;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CheckedCallable;

/**
 * What a {@link ScopeObserver} does for one scope after it opened. Each method is called at most
 * as described; none may throw or block.
 */
public interface ObservedScope {

	/** Does nothing. */
	ObservedScope NONE = new ObservedScope() {
	};

	/**
	 * Runs {@code op}, with whatever context this observer keeps for the scope (a tracing span, a
	 * logging MDC entry), on the calling thread. Called each time the scope becomes current on a
	 * thread: by {@link CancellableScope#call} and on the thread of each forked task, inside the
	 * context captured by the {@link ContextCapture}.
	 * @param <R> the type of the result
	 * @param <X> the type of exception {@code op} throws
	 * @param op the work; must be called exactly once
	 * @return what {@code op} returns
	 * @throws X what {@code op} throws
	 */
	default <R, X extends Throwable> R bind(CheckedCallable<? extends R, X> op) throws X {
		return op.call();
	}

	/**
	 * Called once when the scope is cancelled, on the cancelling thread, after its listeners ran,
	 * its regions were aborted, its child scopes were cancelled and its forks were stopped.
	 * @param cancellation why, and what it stopped
	 */
	default void cancelled(ScopeCancellation cancellation) {
	}

	/**
	 * Called once when the scope has ended (forks awaited, cleanups run), on the closing thread.
	 * @param end how it ended
	 */
	default void closed(ScopeEnd end) {
	}

}
