package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

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
	 * @param reason why the scope was cancelled
	 * @param cause the failure that caused it, or {@code null}
	 */
	void cancelled(CancellationReason reason, @Nullable Throwable cause);

}
