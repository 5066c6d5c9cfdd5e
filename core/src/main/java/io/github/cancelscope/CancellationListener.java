package io.github.cancelscope;

/**
 * Called once when a scope is cancelled. Registered with {@link RequestScope#onCancel}.
 * <p>
 * Listeners run on the thread that cancels the scope (a deadline timer, a watcher, the thread of
 * a failed sibling), so they must be quick and must not block. A listener that throws is logged
 * and does not stop the others.
 */
@FunctionalInterface
public interface CancellationListener {

	/**
	 * Called when the scope is cancelled.
	 * @param cancellation why the scope was cancelled
	 */
	void cancelled(Cancellation cancellation);

}
