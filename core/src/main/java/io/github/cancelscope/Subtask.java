package io.github.cancelscope;

import java.util.concurrent.CompletionException;

/**
 * A task forked with {@link RequestScope#fork}. It runs on its own virtual thread and sees its
 * scope as {@link RequestScope#current()}.
 *
 * @param <T> the type of the task's result
 */
public interface Subtask<T> {

	/**
	 * The state of a subtask.
	 */
	enum State {

		/** The task has not finished yet. */
		RUNNING,

		/** The task returned a result. */
		SUCCEEDED,

		/** The task threw. */
		FAILED

	}

	/**
	 * Waits for the task to finish and returns its result.
	 * <p>
	 * If the task threw, its exception is rethrown: an unchecked exception or error as it is, a
	 * checked exception wrapped in a {@link CompletionException}. If the task ended because its
	 * scope was cancelled, a {@link ScopeCancelledException} carrying the scope's reason and
	 * cause is thrown instead (for {@link CancellationReason#SIBLING_FAILED} the cause is the
	 * sibling's failure).
	 * @return the task's result
	 * @throws ScopeCancelledException if the task ended because its scope was cancelled
	 * @throws CompletionException if the task threw a checked exception, or the waiting thread
	 * was interrupted (its interrupt status is then set again)
	 */
	T join();

	/**
	 * Returns the current state of the task, without waiting.
	 * @return the state
	 */
	State state();

}
