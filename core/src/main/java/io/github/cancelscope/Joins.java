package io.github.cancelscope;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;

import org.jspecify.annotations.Nullable;

/**
 * The policies of {@link RequestScope#all} and {@link RequestScope#race}, as the JDK's
 * {@code StructuredTaskScope.Joiner}s are: built only on the public primitives (a child scope,
 * {@code fork}, {@code join}, {@code cancel}), so any scope implementation gets them.
 */
final class Joins {

	private static final ScopeOptions GROUP = ScopeOptions.of(ScopeOptions.GROUP);

	private Joins() {
	}

	/**
	 * Runs every task and returns their results; a failure cancels the group (its siblings) and is
	 * rethrown as the task threw it.
	 */
	static <T> List<T> all(RequestScope scope, List<? extends Callable<? extends T>> tasks) {
		try (CancellableScope group = scope.openChild(GROUP)) {
			List<Subtask<? extends T>> forks = new ArrayList<>(tasks.size());
			for (Callable<? extends T> task : tasks) {
				forks.add(group.fork(task));
			}
			List<T> results = new ArrayList<>(forks.size());
			for (Subtask<? extends T> fork : forks) {
				results.add(fork.join());
			}
			return results;
		}
		catch (ScopeCancelledException ex) {
			// a sibling's join() reports the group's cancellation: the caller wants the failure itself
			Throwable cause = ex.getCause();
			if (!scope.isCancelled() && ex.reason() == CancellationReason.SIBLING_FAILED && cause != null) {
				throw Fork.propagate(cause);
			}
			throw ex;
		}
	}

	/**
	 * Runs every task and returns the first success; the losers are cancelled and have ended, cleanups
	 * included, when this returns. A task's failure does not cancel the others: each task's outcome is
	 * caught inside its fork.
	 */
	static <T> T race(RequestScope scope, List<? extends Callable<? extends T>> tasks) {
		if (tasks.isEmpty()) {
			throw new IllegalArgumentException("race needs at least one task");
		}
		BlockingQueue<Outcome<T>> finished = new LinkedBlockingQueue<>();
		try (CancellableScope group = scope.openChild(GROUP)) {
			for (Callable<? extends T> task : tasks) {
				group.fork(() -> finished.add(Outcome.of(task)));
			}
			Throwable failure = null;
			for (int i = 0; i < tasks.size(); i++) {
				Outcome<T> outcome = takeUninterruptibly(finished);
				if (outcome.failure() == null) {
					group.cancel(CancellationReason.CANCELLED);
					return outcome.value(); // closing the group waits for the losers and their cleanups first
				}
				if (failure == null) {
					failure = outcome.failure();
				}
				else if (outcome.failure() != failure) {
					failure.addSuppressed(outcome.failure());
				}
			}
			scope.throwIfCancelled();
			throw Fork.propagate(Objects.requireNonNull(failure));
		}
	}

	private static <E> E takeUninterruptibly(BlockingQueue<E> queue) {
		boolean interrupted = false;
		try {
			for (;;) {
				try {
					return queue.take();
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private record Outcome<T>(@Nullable T value, @Nullable Throwable failure) {

		@SuppressWarnings("unchecked")
		static <T> Outcome<T> of(Callable<? extends T> task) {
			try {
				return new Outcome<>(task.call(), null);
			}
			catch (Throwable ex) {
				return (Outcome<T>) new Outcome<>(null, ex);
			}
		}

	}

}
