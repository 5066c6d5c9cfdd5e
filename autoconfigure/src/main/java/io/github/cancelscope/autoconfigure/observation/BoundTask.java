package io.github.cancelscope.autoconfigure.observation;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A task handed to an executor from inside a scope that runs in a child of that scope: a
 * cancellation of the scope interrupts it (the interrupt is cleared when it ends, so none reaches
 * the executor's next task), and the scope waits for it when it ends, at most its close timeout.
 * A task that has not started when the scope ends never runs; a {@link Future} is cancelled.
 */
final class BoundTask implements Runnable {

	private static final Log logger = LogFactory.getLog(BoundTask.class);

	private static final int NEW = 0;

	private static final int RUNNING = 1;

	private static final int DONE = 2;

	private static final int ABANDONED = 3;

	private final CancellableScope scope;

	private final Runnable task;

	private final Runnable submitted;

	private final AtomicInteger state = new AtomicInteger(NEW);

	private final CountDownLatch done = new CountDownLatch(1);

	private BoundTask(CancellableScope scope, Runnable task, Runnable submitted) {
		this.scope = scope;
		this.task = task;
		this.submitted = submitted;
	}

	/**
	 * Binds a task to a scope. Called on the submitting thread.
	 * @param parent the submitting scope
	 * @param task the task to run
	 * @param submitted what was submitted, a {@link Future} to cancel if the task never runs
	 * @param wait how long the scope waits for the task when it ends
	 * @return the bound task
	 */
	static Runnable bind(RequestScope parent, Runnable task, Runnable submitted, Duration wait) {
		BoundTask bound = new BoundTask(parent.openChild(), task, submitted);
		parent.defer(() -> bound.awaitEnd(wait));
		return bound;
	}

	@Override
	public void run() {
		if (!this.state.compareAndSet(NEW, RUNNING)) {
			return;
		}
		try {
			this.scope.call(() -> this.scope.interruptible("task", () -> {
				this.task.run();
				return null;
			}));
		}
		catch (ScopeCancelledException ex) {
			notRun(ex);
		}
		finally {
			try {
				this.scope.close();
			}
			finally {
				this.state.set(DONE);
				this.done.countDown();
			}
		}
	}

	private void awaitEnd(Duration wait) {
		if (this.state.compareAndSet(NEW, ABANDONED)) {
			this.scope.close();
			notRun(null);
			return;
		}
		boolean interrupted = false;
		try {
			long end = System.nanoTime() + wait.toNanos();
			for (;;) {
				try {
					long left = end - System.nanoTime();
					if (left <= 0 || this.done.await(left, TimeUnit.NANOSECONDS)) {
						return;
					}
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

	private void notRun(@Nullable ScopeCancelledException ex) {
		if (this.submitted instanceof Future<?> future) {
			future.cancel(false);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Task of scope " + this.scope.id() + " did not run: its scope "
					+ ((ex != null) ? "was cancelled with " + ex.reason() : "ended first"));
		}
	}

}
