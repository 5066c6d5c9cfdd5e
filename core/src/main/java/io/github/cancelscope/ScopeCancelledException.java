package io.github.cancelscope;

import java.util.concurrent.CancellationException;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by work that stopped because its scope was cancelled. The {@linkplain #reason() reason}
 * says why; the {@linkplain #getCause() cause}, if any, is the failure that led to the cancellation
 * (for {@link CancellationReason#SIBLING_FAILED}, the sibling's own exception).
 */
public class ScopeCancelledException extends CancellationException {

	private final Cancellation cancellation;

	/**
	 * Creates an exception that reports a cancellation.
	 * @param cancellation the scope's cancellation
	 */
	public ScopeCancelledException(Cancellation cancellation) {
		super(messageFor(cancellation.reason()));
		this.cancellation = cancellation;
		if (cancellation.cause() != null) {
			initCause(cancellation.cause());
		}
	}

	/**
	 * Returns the cancellation this exception reports.
	 * @return the cancellation
	 */
	public Cancellation cancellation() {
		return this.cancellation;
	}

	/**
	 * Returns why the scope was cancelled.
	 * @return the reason, never {@code null}
	 */
	public CancellationReason reason() {
		return this.cancellation.reason();
	}

	/**
	 * Returns the first {@code ScopeCancelledException} in the cause chain of {@code failure},
	 * including {@code failure} itself.
	 * @param failure any throwable, or {@code null}
	 * @return the exception found, or {@code null} if the chain holds none
	 */
	public static @Nullable ScopeCancelledException findIn(@Nullable Throwable failure) {
		for (Throwable t = failure; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
			if (t instanceof ScopeCancelledException cancelled) {
				return cancelled;
			}
		}
		return null;
	}

	private static String messageFor(CancellationReason reason) {
		return switch (reason) {
			case DEADLINE_EXCEEDED -> "Scope cancelled: its deadline passed";
			case CLIENT_DISCONNECTED -> "Scope cancelled: the client disconnected";
			case SIBLING_FAILED -> "Scope cancelled: a forked task failed";
			case SHUTDOWN -> "Scope cancelled: the application is shutting down";
			case CANCELLED -> "Scope cancelled";
		};
	}

}
