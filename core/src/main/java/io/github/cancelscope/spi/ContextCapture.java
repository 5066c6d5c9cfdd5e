package io.github.cancelscope.spi;

import java.util.concurrent.Callable;

/**
 * Carries the forking thread's context (tracing, MDC, ...) to a forked task. Called on the forking
 * thread; the returned task runs on the fork's thread.
 */
@FunctionalInterface
public interface ContextCapture {

	/** Carries nothing. */
	ContextCapture NONE = new ContextCapture() {

		@Override
		public <T> Callable<T> capture(Callable<T> task) {
			return task;
		}

	};

	/**
	 * Captures the calling thread's context and returns a task that restores it around {@code task}.
	 * @param <T> the type of the result
	 * @param task the task to wrap
	 * @return the wrapped task
	 */
	<T> Callable<T> capture(Callable<T> task);

}
