package io.github.cancelscope;

/**
 * Why a scope was cancelled. Each reason maps to its own HTTP outcome, metric tag and log line.
 *
 * @see ScopeCancelledException#reason()
 */
public enum CancellationReason {

	/** The scope's deadline passed before its work finished. Answered with 504. */
	DEADLINE_EXCEEDED,

	/** The HTTP client went away before the response started. Nothing is written. */
	CLIENT_DISCONNECTED,

	/** A task forked in the scope failed; the cause is that failure. */
	SIBLING_FAILED,

	/** The application is shutting down and its grace period ran out. Answered with 503. */
	SHUTDOWN,

	/** Code or an operator cancelled the scope explicitly. */
	CANCELLED

}
