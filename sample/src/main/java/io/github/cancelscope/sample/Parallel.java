package io.github.cancelscope.sample;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Subtask;
import jakarta.annotation.PreDestroy;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Runs the demo's tasks in parallel: forked in the request's scope when cancelscope is on, and on a
 * virtual-thread executor, the way most applications do it today, when it is off
 * ({@code --cancelscope.enabled=false}).
 */
@Component
public class Parallel {

	private final @Nullable RequestScope scope;

	private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

	Parallel(ObjectProvider<RequestScope> scope) {
		this.scope = scope.getIfAvailable();
	}

	/**
	 * Starts {@code task} in parallel.
	 * @return a supplier that waits for the task and returns its result or rethrows its failure
	 */
	public <T> Supplier<T> fork(Callable<T> task) {
		if (this.scope != null) {
			Subtask<T> subtask = this.scope.fork(task);
			return subtask::join;
		}
		Future<T> future = this.executor.submit(task);
		return () -> join(future);
	}

	/**
	 * Whether cancelscope is on.
	 */
	public boolean scoped() {
		return this.scope != null;
	}

	private static <T> T join(Future<T> future) {
		try {
			return future.get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@PreDestroy
	void shutdown() {
		this.executor.shutdownNow();
	}

}
