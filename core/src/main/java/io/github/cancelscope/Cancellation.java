package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * Why and through what failure a scope was cancelled.
 *
 * @param reason the reason
 * @param cause the failure that led to it, or {@code null}
 */
record Cancellation(CancellationReason reason, @Nullable Throwable cause) {

	ScopeCancelledException toException() {
		return new ScopeCancelledException(this.reason, this.cause);
	}

}
