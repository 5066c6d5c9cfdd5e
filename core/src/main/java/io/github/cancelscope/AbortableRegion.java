package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * A stretch of blocking work on one thread that a cancellation stops by running an abort action.
 * The action runs at most once, only between {@link #begin()} and {@link #exit()}, and
 * {@code exit()} waits for an action that has started, so an abort never outlives its region.
 */
final class AbortableRegion implements CancellationListener {

	private static final System.Logger logger = System.getLogger(AbortableRegion.class.getName());

	private final Runnable abort;

	// guarded by this
	private boolean started;

	private boolean cancelledEarly;

	private boolean aborted;

	private boolean exited;

	AbortableRegion(Runnable abort) {
		this.abort = abort;
	}

	@Override
	public synchronized void cancelled(CancellationReason reason, @Nullable Throwable cause) {
		if (this.exited) {
			return;
		}
		if (!this.started) {
			this.cancelledEarly = true;
			return;
		}
		this.aborted = true;
		try {
			this.abort.run();
		}
		catch (Throwable ex) {
			logger.log(System.Logger.Level.WARNING, "Abort action of a cancelled scope failed", ex);
		}
	}

	/**
	 * Marks the work as started.
	 * @return {@code false} if the scope was cancelled before, in which case the work must not start
	 */
	synchronized boolean begin() {
		if (this.cancelledEarly) {
			return false;
		}
		this.started = true;
		return true;
	}

	/**
	 * Marks the work as ended, after any running abort action has finished.
	 * @return whether the abort action ran
	 */
	synchronized boolean exit() {
		this.exited = true;
		return this.aborted;
	}

}
