package io.github.cancelscope;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A scope's cancellation, as an {@link ObservedScope} sees it: why, and what it stopped. The counts
 * cover the scope and the descendants cancelled with it.
 *
 * @param reason why the scope was cancelled
 * @param cause the failure that led to it, or {@code null}
 * @param inherited whether the scope was cancelled because its parent was; the parent's
 * cancellation counts this scope's work too
 * @param forksStopped forked tasks that were running and were stopped
 * @param regionsAborted abortable regions whose abort ran, by {@linkplain RequestScope#abortable(String,
 * Runnable, ScopedValue.CallableOp) kind}
 * @param scopesCancelled descendant scopes cancelled with this one
 */
public record ScopeCancellation(CancellationReason reason, @Nullable Throwable cause, boolean inherited,
		int forksStopped, Map<String, Integer> regionsAborted, int scopesCancelled) {

	/**
	 * Returns how many abortable regions were aborted, whatever their kind.
	 * @return the number of regions aborted
	 */
	public int regionsAbortedTotal() {
		return this.regionsAborted.values().stream().mapToInt(Integer::intValue).sum();
	}

}
