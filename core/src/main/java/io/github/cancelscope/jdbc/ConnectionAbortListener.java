package io.github.cancelscope.jdbc;

import java.time.Duration;

import io.github.cancelscope.Cancellation;

/**
 * Told when a {@link CancellableDataSource} aborts a connection (JDBC's
 * {@code Connection.abort(Executor)}) because a statement cancelled by its scope did not return in
 * time, as when the database is stalled or unreachable. The pool evicts such a connection. This is
 * the hook for metrics: one warning is logged for each abort whether or not a listener is set.
 * <p>
 * Called on the thread that aborts, which must stay quick: a listener must not block, and what it
 * throws is logged and ignored.
 */
@FunctionalInterface
public interface ConnectionAbortListener {

	/** Does nothing. */
	ConnectionAbortListener NONE = (cancellation, afterCancel) -> {
	};

	/**
	 * Called once for each aborted connection, once the driver has been asked to abort it.
	 * @param cancellation the cancellation of the scope whose statement did not return
	 * @param afterCancel how long after the first cancel the connection was aborted
	 */
	void connectionAborted(Cancellation cancellation, Duration afterCancel);

}
