package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * How a scope ended, as an {@link ObservedScope} sees it.
 *
 * @param cancellationReason why the scope was cancelled, or {@code null} if it completed without
 * being cancelled
 * @param cancellationCause the failure that led to the cancellation, or {@code null}
 * @param nanosFromCancellation time from the cancellation to the scope having ended, forks and
 * cleanups included, measured with the scope's {@link ScopeClock}; {@code -1} if it was not cancelled
 * @param stragglers forked tasks still running when closing stopped waiting for them
 * @param cleanupFailure the first cleanup that failed, or {@code null}
 */
public record ScopeEnd(@Nullable CancellationReason cancellationReason, @Nullable Throwable cancellationCause,
		long nanosFromCancellation, int stragglers, @Nullable Throwable cleanupFailure) {

	/**
	 * Returns whether the scope was cancelled before it ended.
	 * @return whether it was cancelled
	 */
	public boolean cancelled() {
		return this.cancellationReason != null;
	}

}
