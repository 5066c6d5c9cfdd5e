package io.github.cancelscope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A stretch of blocking work on one thread that a cancellation stops by running an abort action.
 * The action runs at most once, only between {@link #begin()} and {@link #exit(boolean)}, and
 * {@code exit} waits for an action that has started, so an abort never outlives its region.
 * <p>
 * A region whose abort interrupts its thread does not interrupt it while a region that does not
 * interrupt (a JDBC statement, an HTTP exchange) runs inside it on that thread: the inner region
 * has its own abort, and an interrupt would break its connection. The interrupt is deferred until
 * the last such inner region exits, as {@link Fork} defers a stop until the thread leaves its
 * regions. Rule 2 of the {@link InterruptPolicy}.
 */
final class AbortableRegion {

	private static final System.Logger logger = System.getLogger(AbortableRegion.class.getName());

	// the region's life, as bits of its state; each moves one way
	private static final int STARTED = 1;

	private static final int REFUSED = 2;

	private static final int ABORTED = 4;

	private static final int EXITED = 8;

	private static final VarHandle STATE = Jdk.varHandle(MethodHandles.lookup(), "state", int.class);

	private final String kind;

	private final Thread thread = Thread.currentThread();

	// null: the abort interrupts the region's thread
	private final @Nullable Runnable abort;

	private final boolean interrupts;

	private final @Nullable AbortableRegion enclosing;

	// begin() and the fast path of exit() move it with one compare-and-set each, without the monitor
	// (exit() with none if no cancellation took the region); abort() moves it holding the monitor, and
	// runs the action holding it, so an exit() that loses its compare-and-set to an abort takes the
	// monitor to wait for the action
	private volatile int state;

	// written before the compare-and-set that sets REFUSED or ABORTED, read after one sees it
	private @Nullable Cancellation cancellation;

	// guarded by this: regions that do not interrupt, running inside this interrupting one
	private int shields;

	// guarded by this: the interrupt is due once the shields are gone
	private boolean deferred;

	// confined to the region's thread: whether begin() shielded the enclosing regions
	private boolean shielding;

	/**
	 * Creates a region on the calling thread.
	 * @param kind what the region waits for, for metrics and diagnostics
	 * @param abort stops the work; {@code null} to interrupt the calling thread
	 * @param interrupts whether {@code abort} interrupts the region's thread
	 * @param enclosing the region this one runs in on the same thread, or {@code null}
	 */
	AbortableRegion(String kind, @Nullable Runnable abort, boolean interrupts, @Nullable AbortableRegion enclosing) {
		this.kind = kind;
		this.abort = abort;
		this.interrupts = interrupts;
		this.enclosing = enclosing;
	}

	/**
	 * Runs {@code body} on the calling thread as a region of {@code scope}: a cancellation of the
	 * scope runs {@code abort} ({@code null}: interrupts the thread), and the thread's fork (if any) is
	 * not interrupted meanwhile.
	 */
	static <T, X extends Throwable> T run(DefaultScope scope, String kind, @Nullable Runnable abort,
			boolean interrupts, CheckedCallable<? extends T, X> body) throws X {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(body, "body");
		scope.throwIfCancelledBeforeRegion();
		ScopeBinding.Frame frame = ScopeBinding.frame();
		Fork<?> fork = (frame != null) ? frame.fork() : null;
		if (fork != null) {
			fork.enterRegion();
		}
		try {
			boolean wasInterrupted = interrupts && Thread.currentThread().isInterrupted();
			AbortableRegion region = new AbortableRegion(kind, abort, interrupts, (frame != null) ? frame.region() : null);
			ScopeLifecycle lifecycle = scope.lifecycle();
			lifecycle.register(region);
			try {
				Cancellation refused = region.begin();
				if (refused != null) {
					throw refused.toException();
				}
				return ScopeBinding.callInRegion(frame, scope, region, body);
			}
			finally {
				boolean unreached = lifecycle.unregister(region);
				InterruptPolicy.afterRegion(region, region.exit(unreached), wasInterrupted);
			}
		}
		finally {
			if (fork != null) {
				fork.exitRegion();
			}
		}
	}

	/**
	 * Returns whether {@code region} or a region enclosing it interrupted its thread as its abort.
	 * Such an interrupt belongs to that region, which clears it when it exits. An interrupt that is
	 * deferred has not been delivered.
	 * @param region the innermost region of the calling thread, or {@code null}
	 * @return whether an interrupt of a region is pending on the calling thread
	 */
	static boolean interruptDelivered(@Nullable AbortableRegion region) {
		for (AbortableRegion r = region; r != null; r = r.enclosing) {
			if (r.interrupts && r.interruptDelivered()) {
				return true;
			}
		}
		return false;
	}

	private synchronized boolean interruptDelivered() {
		return (this.state & ABORTED) != 0 && !this.deferred;
	}

	/**
	 * Returns whether the cancellation reached the region while its work ran: its abort ran, or, for
	 * an interrupting region, is deferred until an inner region exits.
	 */
	boolean aborted() {
		return (this.state & ABORTED) != 0;
	}

	String kind() {
		return this.kind;
	}

	boolean interrupts() {
		return this.interrupts;
	}

	Thread thread() {
		return this.thread;
	}

	/**
	 * Returns whether the work runs now: begun and not exited.
	 */
	boolean isActive() {
		return (this.state & (STARTED | EXITED)) == STARTED;
	}

	/**
	 * Aborts the work if it runs; if it has not begun, keeps it from beginning.
	 * @param cancellation the scope's cancellation
	 */
	synchronized void abort(Cancellation cancellation) {
		int state;
		do {
			state = this.state;
			if ((state & (REFUSED | ABORTED | EXITED)) != 0) {
				return;
			}
			this.cancellation = cancellation;
			// a failed compare-and-set: begin() or exit() moved first; look again
		}
		while (!STATE.compareAndSet(this, state, state | ((state == 0) ? REFUSED : ABORTED)));
		if (state == 0) {
			return;
		}
		if (this.shields > 0) {
			this.deferred = true;
			return;
		}
		runAbort();
	}

	// called holding this
	private void runAbort() {
		try {
			if (this.abort != null) {
				this.abort.run();
			}
			else {
				this.thread.interrupt();
			}
		}
		catch (Throwable ex) {
			logger.log(System.Logger.Level.WARNING, "Abort action of a cancelled scope failed", ex);
		}
	}

	/**
	 * Marks the work as started. A region that does not interrupt first keeps the interrupting
	 * regions around it from interrupting the thread while it runs; if one of them has already done
	 * so, the work must not start either: its scope is cancelled, and the pending interrupt would
	 * break the call (on a virtual thread, it closes the socket).
	 * @return {@code null} if the work may start, else the cancellation that stops it
	 */
	@Nullable Cancellation begin() {
		Cancellation refused = null;
		if (!this.interrupts) {
			this.shielding = true;
			for (AbortableRegion r = this.enclosing; r != null; r = r.enclosing) {
				if (r.interrupts) {
					Cancellation delivered = r.shield();
					if (refused == null) {
						refused = delivered;
					}
				}
			}
		}
		if (refused == null && STATE.compareAndSet(this, 0, STARTED)) {
			return null;
		}
		// an abort() that came first refuses it with its own cancellation
		return ((this.state & REFUSED) != 0) ? this.cancellation : refused;
	}

	/**
	 * Defers this region's interrupt while a region that does not interrupt runs inside it.
	 * @return the cancellation if this region has already interrupted its thread, else {@code null}
	 */
	private synchronized @Nullable Cancellation shield() {
		this.shields++;
		return ((this.state & ABORTED) != 0 && !this.deferred) ? this.cancellation : null;
	}

	/**
	 * Lifts a {@link #shield()}; on the region's thread, delivers an interrupt deferred meanwhile.
	 */
	private synchronized void unshield() {
		this.shields--;
		if (this.shields == 0 && this.deferred && (this.state & EXITED) == 0) {
			this.deferred = false;
			runAbort();
		}
	}

	/**
	 * Marks the work as ended, after any running abort action has finished, and delivers an
	 * interrupt that enclosing regions deferred because of this one.
	 * @param unreached whether the region was still registered with its scope when it left: no
	 * cancellation took it, so no abort has run or will, and the state moves without a
	 * compare-and-set
	 * @return whether the cancellation reached the region while its work ran
	 */
	boolean exit(boolean unreached) {
		boolean aborted = false;
		if (unreached) {
			STATE.setRelease(this, this.state | EXITED);
		}
		else if (!STATE.compareAndSet(this, STARTED, STARTED | EXITED)) {
			// aborted, or never begun: holding the monitor, no abort action runs any more
			synchronized (this) {
				int state = this.state;
				this.state = state | EXITED;
				this.deferred = false;
				aborted = (state & ABORTED) != 0;
			}
		}
		if (this.shielding) {
			for (AbortableRegion r = this.enclosing; r != null; r = r.enclosing) {
				if (r.interrupts) {
					r.unshield();
				}
			}
		}
		return aborted;
	}

}
