package io.github.cancelscope;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

import org.jspecify.annotations.Nullable;

/**
 * A task forked in a scope, run on a thread of its own ({@link ForkThreads}). Its thread is stopped
 * as rule 1 of the {@link InterruptPolicy} says.
 *
 * @param <T> the type of the result
 */
final class Fork<T> implements Subtask<T>, Runnable {

	private final DefaultScope scope;

	private final Callable<? extends T> task;

	private final InterruptPolicy.ForkInterrupts interrupts = new InterruptPolicy.ForkInterrupts();

	private final CountDownLatch done = new CountDownLatch(1);

	private volatile State state = State.RUNNING;

	private @Nullable T result;

	private @Nullable Throwable failure;

	Fork(DefaultScope scope, Callable<? extends T> task) {
		this.scope = scope;
		this.task = task;
	}

	/**
	 * Starts the task on a thread of the scope's {@link ForkThreads}.
	 * @throws java.util.concurrent.RejectedExecutionException if no thread can take it
	 */
	void start() {
		this.scope.forkThreads().start(this);
	}

	String threadName() {
		return "cancelscope-" + this.scope.id() + "-fork";
	}

	/**
	 * Returns the thread that runs the task, once it has begun.
	 */
	@Nullable Thread thread() {
		return this.interrupts.thread();
	}

	InterruptPolicy.ForkInterrupts interrupts() {
		return this.interrupts;
	}

	/**
	 * Called on this fork's thread when it enters an abortable region.
	 */
	void enterRegion() {
		this.interrupts.enterRegion();
	}

	/**
	 * Called on this fork's thread when it leaves an abortable region.
	 */
	void exitRegion() {
		this.interrupts.exitRegion(this.scope.cancellationOrNull() != null);
	}

	@Override
	public void run() {
		Throwable failure = null;
		try {
			if (!this.interrupts.begin()) {
				// stopped before its thread took it: the scope is cancelled
				Cancellation cancellation = this.scope.cancellationOrNull();
				throw (cancellation != null) ? cancellation.toException() : new CancellationException();
			}
			this.result = ScopeBinding.callInFork(this.scope, this, this.task::call);
		}
		catch (Throwable ex) {
			failure = ex;
			this.failure = ex;
		}
		this.state = (failure != null) ? State.FAILED : State.SUCCEEDED;
		// whatever cancelling the siblings runs into, join() and close() must learn that the task ended
		try {
			if (failure != null) {
				this.scope.forkFailed(failure);
			}
		}
		finally {
			this.interrupts.end();
			// frees the fork's place in a bounded pool before join() returns, so the next fork finds it free
			this.scope.forkThreads().ended(this);
			this.done.countDown();
			this.scope.forkEnded(this);
		}
	}

	@Override
	public T join() {
		try {
			this.done.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			Cancellation cancellation = this.scope.cancellationOrNull();
			if (cancellation != null) {
				throw cancellation.toException();
			}
			throw new CompletionException("Interrupted while joining a task forked in scope " + this.scope.id(), ex);
		}
		return outcome();
	}

	/**
	 * Returns the result of a finished task, or throws as {@link #join()} does.
	 */
	private T outcome() {
		if (this.state == State.SUCCEEDED) {
			return this.result;
		}
		Throwable failure = this.failure;
		Cancellation cancellation = this.scope.cancellationOrNull();
		if (cancellation != null && cancellation.cause() != failure) {
			ScopeCancelledException cancelled = cancellation.toException();
			if (!(failure instanceof ScopeCancelledException)) {
				cancelled.addSuppressed(failure);
			}
			throw cancelled;
		}
		throw propagate(failure);
	}

	@Override
	public State state() {
		return this.state;
	}

	/**
	 * Returns a task's failure as the caller is to throw it: a {@link RuntimeException} as it is, a
	 * checked exception wrapped in a {@link CompletionException}. An {@link Error} is thrown here,
	 * since nothing may wrap it.
	 * @param failure what the task threw
	 * @return the exception to throw
	 */
	static RuntimeException propagate(Throwable failure) {
		if (failure instanceof RuntimeException runtime) {
			return runtime;
		}
		if (failure instanceof Error error) {
			throw error;
		}
		return new CompletionException(failure);
	}

}
