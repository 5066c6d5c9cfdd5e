package io.github.cancelscope.spi;

import java.util.Map;

import io.github.cancelscope.Cancellation;

/**
 * A scope's cancellation, as an {@link ObservedScope} sees it: why, and what it stopped. The counts
 * cover the scope and the descendants cancelled with it.
 */
public interface ScopeCancellation {

	/**
	 * Returns why the scope was cancelled.
	 * @return the cancellation
	 */
	Cancellation cancellation();

	/**
	 * Returns whether the scope was cancelled because its parent was. The parent's cancellation
	 * counts this scope's work too.
	 * @return whether the cancellation was inherited
	 */
	boolean inherited();

	/**
	 * Returns how many forked tasks were running and were stopped.
	 * @return the number of forks stopped
	 */
	int forksStopped();

	/**
	 * Returns the abortable regions whose abort ran, by {@linkplain io.github.cancelscope.RequestScope#abortable
	 * kind}.
	 * @return the counts by kind
	 */
	Map<String, Integer> regionsAborted();

	/**
	 * Returns how many descendant scopes were cancelled with this one.
	 * @return the number of descendants cancelled
	 */
	int scopesCancelled();

	/**
	 * Returns how many abortable regions were aborted, whatever their kind.
	 * @return the number of regions aborted
	 */
	default int regionsAbortedTotal() {
		return regionsAborted().values().stream().mapToInt(Integer::intValue).sum();
	}

}
