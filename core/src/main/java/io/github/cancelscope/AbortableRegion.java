package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * A stretch of blocking work on one thread that a cancellation stops by running an abort action.
 * The action runs at most once, only between {@link #begin()} and {@link #exit()}, and
 * {@code exit()} waits for an action that has started, so an abort never outlives its region.
 */
final class AbortableRegion implements CancellationListener {

	private static final System.Logger logger = System.getLogger(AbortableRegion.class.getName());

	private final String kind;

	private final Thread thread = Thread.currentThread();

	private final Runnable abort;

	private final boolean interrupts;

	private final @Nullable AbortableRegion enclosing;

	// guarded by this
	private boolean started;

	private boolean cancelledEarly;

	private boolean aborted;

	private boolean exited;

	/**
	 * Creates a region on the calling thread.
	 * @param kind what the region waits for, for metrics and diagnostics
	 * @param abort stops the work
	 * @param interrupts whether {@code abort} interrupts the region's thread
	 * @param enclosing the region this one runs in on the same thread, or {@code null}
	 */
	AbortableRegion(String kind, Runnable abort, boolean interrupts, @Nullable AbortableRegion enclosing) {
		this.kind = kind;
		this.abort = abort;
		this.interrupts = interrupts;
		this.enclosing = enclosing;
	}

	/**
	 * Returns whether {@code region} or a region enclosing it interrupted its thread as its abort.
	 * Such an interrupt belongs to that region, which clears it when it exits.
	 * @param region the innermost region of the calling thread, or {@code null}
	 * @return whether an interrupt of a region is pending on the calling thread
	 */
	static boolean interruptDelivered(@Nullable AbortableRegion region) {
		for (AbortableRegion r = region; r != null; r = r.enclosing) {
			if (r.interrupts && r.aborted()) {
				return true;
			}
		}
		return false;
	}

	synchronized boolean aborted() {
		return this.aborted;
	}

	String kind() {
		return this.kind;
	}

	Thread thread() {
		return this.thread;
	}

	/**
	 * Returns whether the work runs now: begun and not exited.
	 */
	synchronized boolean isActive() {
		return this.started && !this.exited;
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
