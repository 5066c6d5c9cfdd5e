package io.github.cancelscope;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * A task forked in a scope, and the control of its virtual thread.
 * <p>
 * Stopping a fork interrupts its thread, unless the thread is inside an abortable region: then the
 * region's own abort stops the work, and the interrupt is delivered when the thread leaves its last
 * region. The control word holds the stop flags and the region depth, so a stop and a region entry
 * that race never let an interrupt reach a guarded call.
 *
 * @param <T> the type of the result
 */
final class Fork<T> implements Subtask<T>, Runnable {

	private static final int STOPPED = 1;

	private static final int INTERRUPTING = 2;

	private static final int INTERRUPTED = 4;

	private static final int REGION = 8;

	private final DefaultScope scope;

	private final Callable<? extends T> task;

	private final @Nullable Consumer<Fork<?>> whenDone;

	private final Thread thread;

	private final AtomicInteger control = new AtomicInteger();

	private final CountDownLatch done = new CountDownLatch(1);

	private volatile State state = State.RUNNING;

	private @Nullable T result;

	private @Nullable Throwable failure;

	Fork(DefaultScope scope, Callable<? extends T> task, @Nullable Consumer<Fork<?>> whenDone) {
		this.scope = scope;
		this.task = task;
		this.whenDone = whenDone;
		this.thread = Thread.ofVirtual().name("cancelscope-" + scope.id() + "-fork").unstarted(this);
	}

	void start() {
		this.thread.start();
	}

	Thread thread() {
		return this.thread;
	}

	@Override
	public void run() {
		Throwable failure = null;
		try {
			this.result = ScopedValue.where(ScopeBinding.CURRENT, this.scope)
				.where(ScopeBinding.FORK, this)
				.call(this.task::call);
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
			this.done.countDown();
			try {
				if (this.whenDone != null) {
					this.whenDone.accept(this);
				}
			}
			finally {
				this.scope.forkEnded(this);
			}
		}
	}

	@Override
	public T join() {
		try {
			this.done.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			Cancellation cancellation = this.scope.cancellation();
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
	T outcome() {
		if (this.state == State.SUCCEEDED) {
			return this.result;
		}
		Throwable failure = this.failure;
		Cancellation cancellation = this.scope.cancellation();
		if (cancellation != null && cancellation.cause() != failure) {
			ScopeCancelledException cancelled = cancellation.toException();
			if (!(failure instanceof ScopeCancelledException)) {
				cancelled.addSuppressed(failure);
			}
			throw cancelled;
		}
		throw propagate(failure);
	}

	@Nullable Throwable failure() {
		return this.failure;
	}

	@Override
	public State state() {
		return this.state;
	}

	/**
	 * Stops the task: interrupts its thread now, or when it leaves its abortable regions.
	 */
	void stop() {
		for (;;) {
			int c = this.control.get();
			if ((c & STOPPED) != 0) {
				return;
			}
			if (c >= REGION) {
				if (this.control.compareAndSet(c, c | STOPPED)) {
					return;
				}
			}
			else if (this.control.compareAndSet(c, c | STOPPED | INTERRUPTING)) {
				this.thread.interrupt();
				this.control.getAndUpdate((v) -> (v & ~INTERRUPTING) | INTERRUPTED);
				return;
			}
		}
	}

	boolean isStopped() {
		return (this.control.get() & STOPPED) != 0;
	}

	/**
	 * Returns whether this fork's thread is inside an abortable region. Meaningful on that thread.
	 */
	boolean isInRegion() {
		return this.control.get() >= REGION;
	}

	/**
	 * Called on this fork's thread when it enters an abortable region.
	 */
	void enterRegion() {
		for (;;) {
			int c = this.control.get();
			if ((c & INTERRUPTING) != 0) {
				Thread.onSpinWait();
			}
			else if (this.control.compareAndSet(c, c + REGION)) {
				return;
			}
		}
	}

	/**
	 * Called on this fork's thread when it leaves an abortable region; delivers a stop that arrived
	 * while it was inside, or that is on its way because the scope is cancelled (its listeners,
	 * which abort the region, run before its forks are stopped).
	 */
	void exitRegion() {
		for (;;) {
			int c = this.control.get();
			int n = c - REGION;
			boolean stopped = (n & STOPPED) != 0 || (n < REGION && this.scope.cancellation() != null);
			boolean deliver = n < REGION && stopped && (n & INTERRUPTED) == 0;
			if (deliver) {
				n |= STOPPED | INTERRUPTED;
			}
			if (this.control.compareAndSet(c, n)) {
				if (deliver) {
					Thread.currentThread().interrupt();
				}
				return;
			}
		}
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
