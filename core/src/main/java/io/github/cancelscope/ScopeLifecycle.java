package io.github.cancelscope;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeClock;
import io.github.cancelscope.spi.ScopeObserver;
import io.github.cancelscope.spi.ScopeSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * The cancel and close state machine of one scope, and the registries it drives: cancellation
 * listeners, running regions, child scopes, forks, cleanups and the deadline timer. Its
 * {@link DefaultScope} is the API over it, as the JDK's {@code StructuredTaskScopeImpl} is over its
 * state and {@code ThreadFlock}.
 * <p>
 * A single lock guards the state and the registries but the children ({@link ChildScopes}) and
 * the slots of the first listener and the first running region ({@link SlotRegistry}); listeners,
 * regions, children and forks are told outside it, so a listener may call back into the scope.
 * The cancellation is a volatile field written under the lock, so reading it costs one read.
 */
final class ScopeLifecycle {

	private static final System.Logger logger = System.getLogger(CancellableScope.class.getName());

	private enum State {

		OPEN, CLOSING, CLOSED

	}

	private final DefaultScope scope;

	private final Thread opener = Thread.currentThread();

	private final boolean openerWasInterrupted = this.opener.isInterrupted();

	private final ReentrantLock lock = new ReentrantLock();

	private volatile @Nullable Cancellation cancellation;

	// written once, before cancellation is published
	private long cancelledNanos;

	// written under the lock; volatile so that refusesChildren() can read it without taking the
	// lock of a parent that every request's scope shares
	private volatile State state = State.OPEN;

	// whether close() found work running and so cancels the scope; written under the lock
	private volatile boolean cancelsOnClose;

	// each a slot taken without the lock, then a list guarded by it (see SlotRegistry)
	private final SlotRegistry<CancellationListener> listeners = new SlotRegistry<>(this.lock);

	private final SlotRegistry<AbortableRegion> regions = new SlotRegistry<>(this.lock);

	// made on first use, under the lock; not guarded by it (see ChildScopes)
	private volatile @Nullable ChildScopes children;

	private @Nullable ForkGroup forks;

	private @Nullable CleanupStack cleanups;

	private final DeadlineAlarm alarm = new DeadlineAlarm(this);

	ScopeLifecycle(DefaultScope scope) {
		this.scope = scope;
	}

	@Nullable Cancellation cancellation() {
		return this.cancellation;
	}

	/**
	 * Returns whether a timer is armed to cancel the scope at its deadline.
	 */
	boolean deadlineArmed() {
		return this.alarm.isArmed();
	}

	/**
	 * Registers a child, or hands it this scope's cancellation if there is one. Called before the
	 * child is handed to its owner.
	 * @throws IllegalStateException if this scope refuses children (see {@link #refusesChildren()})
	 */
	void adopt(DefaultScope child) {
		armTimer();
		ChildScopes children = childScopes();
		children.add(child);
		// after the add: a cancel() or close() that began before it either sees the child or is seen here
		if (refusesChildren()) {
			children.remove(child);
			// lost a race with close(): the observer saw the child open, so it sees it end
			ScopeEvents.closed(child.observed(), child.id(), null, -1, 0, null);
			throw ended("open a child scope");
		}
		Cancellation cancellation = this.cancellation;
		if (cancellation != null) {
			children.remove(child);
			child.lifecycle().inherit(cancellation);
		}
	}

	private ChildScopes childScopes() {
		ChildScopes children = this.children;
		if (children == null) {
			this.lock.lock();
			try {
				children = this.children;
				if (children == null) {
					children = ChildScopes.of(this.scope);
					this.children = children;
				}
			}
			finally {
				this.lock.unlock();
			}
		}
		return children;
	}

	// a parent's cancellation at birth, unless its concurrent cancel handed it over: nothing is registered yet
	private void inherit(Cancellation cancellation) {
		this.lock.lock();
		try {
			if (this.cancellation == null) {
				this.cancelledNanos = this.scope.settings().clock().nanoTime();
				this.cancellation = cancellation;
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Returns whether a child opened now would outlive this scope untracked. A closing scope that
	 * is cancelled, or that close() is about to cancel because work still runs in it, hands out
	 * children that are (or are about to be) cancelled with it: its forks and cleanups may call
	 * {@code @Scoped} methods, which then fail fast as in any cancelled scope. A closing scope that
	 * close() found idle is reachable only from its cleanups, and a child opened there would be
	 * neither cancelled nor bound by the deadline once the scope is closed: it is refused.
	 * <p>
	 * Read before a child is added, the answer is a hint (for an observer, which should not see a
	 * child open that cannot); {@link #adopt} decides by reading it after the add.
	 */
	boolean refusesChildren() {
		return switch (this.state) {
			case OPEN -> false;
			case CLOSING -> this.cancellation == null && !this.cancelsOnClose;
			case CLOSED -> true;
		};
	}

	IllegalStateException ended(String action) {
		return new IllegalStateException("Scope " + this.scope.id() + " has ended; it cannot " + action);
	}

	/**
	 * Cancels the scope with {@link CancellationReason#DEADLINE_EXCEEDED} at its deadline, with a
	 * timer armed once something registers in the scope (see {@link DeadlineAlarm}). Called before
	 * the scope is handed to its owner.
	 */
	void deferTimer(Deadline deadline) {
		this.alarm.defer(deadline);
	}

	private void armTimer() {
		this.alarm.arm(this.scope.settings().clock());
	}

	/**
	 * Cancels the scope and, with it, its descendants: listeners first, then regions, children and
	 * forks.
	 * @param inherited whether the parent's cancellation cancels this scope
	 * @return what this call stopped, counted only when an observer watches; {@code null} if the
	 * scope was already cancelled or had ended
	 */
	ScopeEvents.@Nullable Tally cancel(Cancellation cancellation, boolean inherited) {
		boolean counted = this.scope.settings().observer() != ScopeObserver.NONE;
		List<CancellationListener> listeners;
		List<AbortableRegion> regions;
		List<DefaultScope> children;
		List<Fork<?>> forks;
		this.lock.lock();
		try {
			if (this.cancellation != null || this.state == State.CLOSED) {
				return null;
			}
			this.cancelledNanos = counted ? this.scope.settings().clock().nanoTime() : 0;
			this.cancellation = cancellation;
			listeners = this.listeners.drain();
			regions = this.regions.drain();
			children = ChildScopes.copy(this.children);
			forks = (this.forks != null) ? this.forks.running() : List.of();
		}
		finally {
			this.lock.unlock();
		}
		this.alarm.disarm();
		ScopeEvents.Tally tally = new ScopeEvents.Tally();
		for (CancellationListener listener : listeners) {
			notify(listener, cancellation);
		}
		for (AbortableRegion region : regions) {
			region.abort(cancellation);
			if (counted && region.aborted()) {
				tally.regionAborted(region.kind());
			}
		}
		for (DefaultScope child : children) {
			ScopeEvents.Tally inChild = child.lifecycle().cancel(cancellation, true);
			if (counted && inChild != null) {
				tally.add(inChild);
			}
		}
		for (Fork<?> fork : forks) {
			fork.interrupts().stop();
		}
		tally.forksStopped(forks.size());
		if (this.scope.observed() != ObservedScope.NONE) {
			ScopeEvents.cancelled(this.scope.observed(), this.scope.id(), cancellation, inherited, tally);
		}
		return tally;
	}

	private void notify(CancellationListener listener, Cancellation cancellation) {
		try {
			listener.cancelled(cancellation);
		}
		catch (Throwable ex) {
			logger.log(System.Logger.Level.WARNING,
					"A cancellation listener of scope " + this.scope.id() + " failed", ex);
		}
	}

	Registration onCancel(CancellationListener listener) {
		armTimer();
		this.listeners.add(listener);
		// after the add: a cancel() or an end() that these reads miss drains the listener after it
		Cancellation cancellation = this.cancellation;
		if (cancellation == null && this.state != State.CLOSED) {
			return () -> this.listeners.remove(listener);
		}
		// taken back: no cancel() will tell it; else the cancel() that took it tells it
		if (this.listeners.remove(listener) && cancellation != null) {
			notify(listener, cancellation);
		}
		return Registration.NONE;
	}

	/**
	 * Registers a region that is about to run, so that a cancellation aborts it; aborts it at once
	 * (before it begins) if the scope is cancelled. The region {@linkplain #unregister unregisters}
	 * when it exits.
	 */
	void register(AbortableRegion region) {
		armTimer();
		this.regions.add(region);
		// after the add: a cancel() that this read misses drains the region after it (see SlotRegistry)
		Cancellation cancellation = this.cancellation;
		if (cancellation != null) {
			this.regions.remove(region);
			region.abort(cancellation);
		}
	}

	/**
	 * Forgets a region that has exited.
	 * @return whether it was still registered: then no cancellation took it, and none will abort it
	 */
	boolean unregister(AbortableRegion region) {
		return this.regions.remove(region);
	}

	/**
	 * Registers a fork that is about to start.
	 * @throws ScopeCancelledException if the scope is cancelled
	 * @throws IllegalStateException if it is closing or closed: a new fork could outlive close()
	 */
	void addFork(Fork<?> fork) {
		armTimer();
		this.lock.lock();
		try {
			Cancellation cancellation = this.cancellation;
			if (cancellation != null) {
				throw cancellation.toException();
			}
			if (this.state != State.OPEN) {
				throw ended("fork");
			}
			if (this.forks == null) {
				this.forks = new ForkGroup(this.lock, this.scope.forkThreads().threadEndsWithTask());
			}
			this.forks.add(fork);
		}
		finally {
			this.lock.unlock();
		}
	}

	void forkEnded(Fork<?> fork) {
		this.lock.lock();
		try {
			if (this.forks != null) {
				this.forks.ended(fork);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	void defer(AutoCloseable cleanup) {
		this.lock.lock();
		try {
			if (this.state != State.CLOSED) {
				if (this.cleanups == null) {
					this.cleanups = new CleanupStack();
				}
				this.cleanups.push(cleanup);
				return;
			}
		}
		finally {
			this.lock.unlock();
		}
		CleanupStack.rethrow(CleanupStack.run(cleanup, null, this.scope.id()));
	}

	/**
	 * Closes the scope, as {@link CancellableScope#close()} describes.
	 * @param parent the parent's lifecycle, or {@code null} for a root
	 */
	void close(@Nullable ScopeLifecycle parent, Duration closeTimeout) {
		boolean busy;
		boolean idle;
		this.lock.lock();
		try {
			if (this.state != State.OPEN) {
				return;
			}
			ChildScopes children = this.children;
			busy = (this.forks != null && this.forks.hasUnfinished()) || (children != null && !children.isEmpty());
			this.cancelsOnClose = busy;
			// no fork ever, no child open, no cleanup yet: nothing to wait for or run, so closed in one step
			idle = !busy && this.forks == null && this.cleanups == null;
			this.state = State.CLOSING;
			if (idle) {
				end();
			}
		}
		finally {
			this.lock.unlock();
		}
		// an interrupt set before close began is the scope's business (see InterruptPolicy.afterClose);
		// one that arrives while close waits comes from outside and is kept
		boolean interruptedBefore = Thread.interrupted();
		if (busy) {
			cancel(Cancellation.of(CancellationReason.CANCELLED, null), false);
		}
		ForkGroup forks = this.forks;
		boolean interrupted = (forks != null) && forks.awaitAll(closeTimeout, this.scope.id());
		Throwable failure = idle ? null : runCleanupsAndEnd();
		this.alarm.disarm();
		ChildScopes siblings = (parent != null) ? parent.children : null;
		if (siblings != null) {
			siblings.remove(this.scope);
		}
		if (this.scope.observed() != ObservedScope.NONE) {
			Cancellation cancellation = this.cancellation;
			long nanos = (cancellation != null)
					? Math.max(0, this.scope.settings().clock().nanoTime() - this.cancelledNanos) : -1;
			ScopeEvents.closed(this.scope.observed(), this.scope.id(), cancellation, nanos,
					(forks != null) ? forks.stragglers().size() : 0, failure);
		}
		InterruptPolicy.afterClose(this.opener, this.openerWasInterrupted, interruptedBefore, interrupted);
		CleanupStack.rethrow(failure);
	}

	/**
	 * Runs the cleanups, including any deferred meanwhile, and marks the scope closed in the same
	 * step that finds none left, so that a cleanup deferred concurrently either runs here or, once
	 * the scope is closed, at once on the deferring thread.
	 */
	private @Nullable Throwable runCleanupsAndEnd() {
		Throwable failure = null;
		for (;;) {
			AutoCloseable cleanup;
			this.lock.lock();
			try {
				cleanup = (this.cleanups != null) ? this.cleanups.pop() : null;
				if (cleanup == null) {
					end();
				}
			}
			finally {
				this.lock.unlock();
			}
			if (cleanup == null) {
				return failure;
			}
			failure = CleanupStack.run(cleanup, failure, this.scope.id());
		}
	}

	// called holding the lock: marks the scope closed and forgets what no one will be told of
	private void end() {
		this.state = State.CLOSED;
		this.cleanups = null;
		this.listeners.drain();
		this.regions.drain();
		this.children = null;
	}

	List<CancellableScope> children() {
		return List.copyOf(ChildScopes.copy(this.children));
	}

	ScopeSnapshot snapshot(Duration age) {
		Cancellation cancellation;
		List<DefaultScope> children;
		List<Fork<?>> forks;
		List<AbortableRegion> regions;
		this.lock.lock();
		try {
			cancellation = this.cancellation;
			children = ChildScopes.copy(this.children);
			forks = (this.forks != null) ? this.forks.running() : List.of();
			regions = this.regions.copy();
		}
		finally {
			this.lock.unlock();
		}
		return Snapshots.of(this.scope, age, cancellation, forks, regions,
				children.stream().map(DefaultScope::snapshot).toList());
	}

}
