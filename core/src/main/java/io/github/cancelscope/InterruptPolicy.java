package io.github.cancelscope;

import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Who may interrupt which thread, and when the interrupt is cleared: the rules of the class guide
 * of {@link CancellableScope}, in one place.
 * <ol>
 * <li><b>A forked task's thread</b> is interrupted when its scope is cancelled ({@link ForkInterrupts#stop()}),
 * unless it is inside an abortable region: there the region's own abort stops the work, since an
 * interrupt would break the region's connection (on a virtual thread it closes the socket), and the
 * interrupt is delivered when the thread leaves its last region ({@link ForkInterrupts#exitRegion}).</li>
 * <li><b>Any other thread</b> is interrupted only by an interruptible region's abort, and that
 * interrupt is cleared when the region exits ({@link #afterRegion}). While a non-interrupting region
 * runs inside it on the same thread, the interrupt waits ({@link AbortableRegion}).</li>
 * <li><b>After a scope closes</b>, its opener's interrupt status is what it was when the scope
 * opened, unless it has a reason to be set now ({@link #afterClose}).</li>
 * </ol>
 * A JDBC connection's own methods run with the interrupt status held off
 * ({@code io.github.cancelscope.jdbc.CancellableConnection}), for the same reason as rule 1.
 */
final class InterruptPolicy {

	private InterruptPolicy() {
	}

	/**
	 * Clears the interrupt an interruptible region delivered, when it exits.
	 * @param region the region that exited
	 * @param aborted whether the cancellation reached the region while its work ran
	 * @param wasInterrupted whether the thread was interrupted when the region began
	 */
	static void afterRegion(AbortableRegion region, boolean aborted, boolean wasInterrupted) {
		if (aborted && region.interrupts() && !wasInterrupted) {
			Thread.interrupted();
		}
	}

	/**
	 * Sets the interrupt status of the thread that closed a scope.
	 * @param opener the thread that opened the scope
	 * @param openerWasInterrupted whether it was interrupted when it opened the scope
	 * @param interruptedBefore whether the closing thread was interrupted when close began
	 * @param interruptedWhile whether it was interrupted from outside while close waited
	 */
	static void afterClose(Thread opener, boolean openerWasInterrupted, boolean interruptedBefore,
			boolean interruptedWhile) {
		Thread current = Thread.currentThread();
		if (current != opener) {
			if (interruptedBefore || interruptedWhile) {
				current.interrupt();
			}
			return;
		}
		// clear first, then look: a stop racing this close is either seen below or lands after the clear
		Thread.interrupted();
		ScopeBinding.Frame frame = ScopeBinding.frame();
		Fork<?> fork = (frame != null) ? frame.fork() : null;
		// inside an abortable region a stopped fork gets its interrupt when the region exits, not here
		boolean stoppedFork = fork != null && fork.interrupts().isStopped() && !fork.interrupts().isInRegion();
		boolean keep = openerWasInterrupted || interruptedWhile || stoppedFork
				|| AbortableRegion.interruptDelivered((frame != null) ? frame.region() : null);
		if (keep) {
			current.interrupt();
		}
	}

	/**
	 * The interrupt control of a forked task's thread. The control word holds the stop flags, the
	 * task's life (begun, done) and the region depth, so a stop and a region entry that race never
	 * let an interrupt reach a guarded call, and a stop that comes late never reaches the next task
	 * of a pooled thread.
	 */
	static final class ForkInterrupts {

		private static final int STOPPED = 1;

		private static final int INTERRUPTING = 2;

		private static final int INTERRUPTED = 4;

		private static final int BEGUN = 8;

		private static final int DONE = 16;

		private static final int REGION = 32;

		private final AtomicInteger control = new AtomicInteger();

		private volatile @Nullable Thread thread;

		/**
		 * Called on the fork's thread before its task runs.
		 * @return {@code false} if the fork was stopped before it began: its task must not run
		 */
		boolean begin() {
			this.thread = Thread.currentThread();
			int c = this.control.getAndUpdate((v) -> v | BEGUN);
			return (c & STOPPED) == 0;
		}

		/**
		 * Called on the fork's thread after its task ran: from now on a stop does not interrupt the
		 * thread, and an interrupt delivered before is cleared.
		 */
		void end() {
			for (;;) {
				int c = this.control.get();
				if ((c & INTERRUPTING) != 0) {
					Thread.onSpinWait();
				}
				else if (this.control.compareAndSet(c, c | DONE)) {
					Thread.interrupted();
					return;
				}
			}
		}

		/**
		 * Returns the thread that runs the task, once it has begun.
		 */
		@Nullable Thread thread() {
			return this.thread;
		}

		/**
		 * Stops the task: interrupts its thread now, or when it leaves its abortable regions; a task
		 * that has not begun does not run.
		 */
		void stop() {
			for (;;) {
				int c = this.control.get();
				if ((c & STOPPED) != 0) {
					return;
				}
				boolean running = (c & BEGUN) != 0 && (c & DONE) == 0;
				if (c >= REGION || !running) {
					if (this.control.compareAndSet(c, c | STOPPED)) {
						return;
					}
				}
				else if (this.control.compareAndSet(c, c | STOPPED | INTERRUPTING)) {
					Thread thread = this.thread;
					if (thread != null) {
						thread.interrupt();
					}
					this.control.getAndUpdate((v) -> (v & ~INTERRUPTING) | INTERRUPTED);
					return;
				}
			}
		}

		boolean isStopped() {
			return (this.control.get() & STOPPED) != 0;
		}

		/**
		 * Returns whether the thread is inside an abortable region. Meaningful on that thread.
		 */
		boolean isInRegion() {
			return this.control.get() >= REGION;
		}

		/**
		 * Called on the fork's thread when it enters an abortable region.
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
		 * Called on the fork's thread when it leaves an abortable region; delivers a stop that
		 * arrived while it was inside, or that is on its way because the scope is cancelled (a
		 * cancellation aborts regions before it stops forks).
		 * @param scopeCancelled whether the fork's scope is cancelled
		 */
		void exitRegion(boolean scopeCancelled) {
			for (;;) {
				int c = this.control.get();
				int n = c - REGION;
				boolean stopped = (n & STOPPED) != 0 || (n < REGION && scopeCancelled);
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

	}

}
