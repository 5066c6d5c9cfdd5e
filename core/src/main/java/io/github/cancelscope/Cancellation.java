package io.github.cancelscope;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Why a scope was cancelled, and through what failure: the one value that every cancellation
 * listener, observer event and {@link ScopeCancelledException} carries.
 */
public final class Cancellation {

	private final CancellationReason reason;

	private final @Nullable Throwable cause;

	private Cancellation(CancellationReason reason, @Nullable Throwable cause) {
		this.reason = reason;
		this.cause = cause;
	}

	/**
	 * Returns a cancellation.
	 * @param reason why
	 * @param cause the failure that led to it, or {@code null}
	 * @return the cancellation
	 */
	public static Cancellation of(CancellationReason reason, @Nullable Throwable cause) {
		return new Cancellation(Objects.requireNonNull(reason, "reason"), cause);
	}

	/**
	 * Returns why the scope was cancelled.
	 * @return the reason
	 */
	public CancellationReason reason() {
		return this.reason;
	}

	/**
	 * Returns the failure that led to the cancellation: for {@link CancellationReason#SIBLING_FAILED},
	 * the forked task's own exception.
	 * @return the cause, or {@code null}
	 */
	public @Nullable Throwable cause() {
		return this.cause;
	}

	/**
	 * Returns a new exception that reports this cancellation, to throw from work it stopped.
	 * @return the exception
	 */
	public ScopeCancelledException toException() {
		return new ScopeCancelledException(this);
	}

	@Override
	public String toString() {
		return (this.cause != null) ? this.reason + " (" + this.cause + ")" : this.reason.toString();
	}

}
