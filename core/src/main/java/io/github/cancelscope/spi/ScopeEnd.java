package io.github.cancelscope.spi;

import io.github.cancelscope.Cancellation;
import org.jspecify.annotations.Nullable;

/**
 * How a scope ended, as an {@link ObservedScope} sees it.
 */
public interface ScopeEnd {

	/**
	 * Returns why the scope was cancelled before it ended.
	 * @return the cancellation, or {@code null} if the scope completed without being cancelled
	 */
	@Nullable Cancellation cancellation();

	/**
	 * Returns the time from the cancellation to the scope having ended, forks and cleanups included,
	 * measured with the scope's {@link ScopeClock}.
	 * @return the nanoseconds, or {@code -1} if the scope was not cancelled
	 */
	long nanosFromCancellation();

	/**
	 * Returns how many forked tasks were still running when closing stopped waiting for them.
	 * @return the number of stragglers
	 */
	int stragglers();

	/**
	 * Returns the first cleanup that failed.
	 * @return the failure, or {@code null}
	 */
	@Nullable Throwable cleanupFailure();

	/**
	 * Returns whether the scope was cancelled before it ended.
	 * @return whether it was cancelled
	 */
	default boolean cancelled() {
		return cancellation() != null;
	}

}
