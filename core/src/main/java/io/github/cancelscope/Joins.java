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
	 * caught inside its fork. A fork stopped before its thread took it never runs, and so never
	 * reports: a cancellation of the group that race did not make (this scope cancelled, its deadline
	 * passed) ends the wait, and what the forks that ran reported is looked at once the group has closed.
	 */
	static <T> T race(RequestScope scope, List<? extends Callable<? extends T>> tasks) {
		if (tasks.isEmpty()) {
			throw new IllegalArgumentException("race needs at least one task");
		}
		BlockingQueue<Outcome<T>> finished = new LinkedBlockingQueue<>();
		Throwable failure = null;
		Cancellation groupCancellation = null;
		try (CancellableScope group = scope.openChild(GROUP)) {
			group.onCancel((cancellation) -> finished.add(Outcome.cancelled(cancellation)));
			for (Callable<? extends T> task : tasks) {
				group.fork(() -> finished.add(Outcome.of(task)));
			}
			for (int i = 0; i < tasks.size(); i++) {
				Outcome<T> outcome = takeUninterruptibly(finished);
				if (outcome.cancellation() != null) {
					groupCancellation = outcome.cancellation();
					break;
				}
				if (outcome.failure() == null) {
					group.cancel(CancellationReason.CANCELLED);
					return outcome.value(); // closing the group waits for the losers and their cleanups first
				}
				failure = addFailure(failure, outcome.failure());
			}
		}
		// the group is closed: every fork that ran has reported
		for (Outcome<T> outcome : finished) {
			if (outcome.cancellation() != null) {
				continue;
			}
			if (outcome.failure() == null) {
				return outcome.value();
			}
			failure = addFailure(failure, outcome.failure());
		}
		scope.throwIfCancelled();
		if (failure == null) {
			throw Objects.requireNonNull(groupCancellation).toException();
		}
		throw Fork.propagate(failure);
	}

	private static Throwable addFailure(@Nullable Throwable first, Throwable failure) {
		if (first == null) {
			return failure;
		}
		if (failure != first) {
			first.addSuppressed(failure);
		}
		return first;
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

	private record Outcome<T>(@Nullable T value, @Nullable Throwable failure, @Nullable Cancellation cancellation) {

		Outcome(@Nullable T value, @Nullable Throwable failure) {
			this(value, failure, null);
		}

		static <T> Outcome<T> cancelled(Cancellation cancellation) {
			return new Outcome<>(null, null, cancellation);
		}

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
