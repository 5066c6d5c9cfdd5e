package io.github.cancelscope.autoconfigure.kafka;

import io.github.cancelscope.CancellationReason;
import org.jspecify.annotations.Nullable;

/**
 * Thrown in place of a listener's failure, or return, when its record or batch was cancelled
 * because its container stopped or the application shut down; the listener's own failure is the
 * cause. It tells {@link CancelledRecordErrorHandler} to leave the records for redelivery.
 */
final class RecordCancelledException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	RecordCancelledException(String what, CancellationReason reason, @Nullable Throwable failure) {
		super(what + " was cancelled (" + reason + ") and is left for redelivery", failure);
	}

	/**
	 * Returns the {@code RecordCancelledException} in the cause chain of {@code failure}, or
	 * {@code null}.
	 */
	static @Nullable RecordCancelledException findIn(@Nullable Throwable failure) {
		Throwable cause = failure;
		for (int depth = 0; cause != null && depth < 32; depth++) {
			if (cause instanceof RecordCancelledException cancelled) {
				return cancelled;
			}
			cause = cause.getCause();
		}
		return null;
	}

}
