package io.github.cancelscope;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The one implementation of a scope: cancellation state, listeners, children, forks, cleanups and
 * the deadline timer.
 * <p>
 * A single lock guards the collections; listeners, children and forks are notified outside it, so a
 * listener may call back into the scope. The cancellation itself is a volatile field, so
 * {@link RequestScope#isCancelled()} costs one read.
 */
final class DefaultScope implements CancellableScope {

	private static final System.Logger logger = System.getLogger(CancellableScope.class.getName());

	private static final AtomicLong ids = new AtomicLong();

	private static final long NO_DEADLINE = Long.MAX_VALUE;

	/** Kind of an abortable region opened without one. */
	static final String ABORTABLE = "abortable";

	/** Kind of an interruptible region. */
	static final String INTERRUPTIBLE = "interruptible";

	/** What {@link #cancel(CancellationReason, Throwable, boolean)} returns when nobody counts. */
	private static final Tally UNCOUNTED = new Tally();

	private enum State {

		OPEN, CLOSING, CLOSED

	}

	private final String id;

	private final @Nullable DefaultScope parent;

	private final ScopeSettings settings;

	private final boolean failureCancelsSiblings;

	private final long deadlineNanos;

	private final @Nullable Instant deadline;

	private final ScopeView view = new ScopeView(this);

	private final Thread opener;

	private final boolean openerWasInterrupted;

	private final long openedNanos;

	private final ObservedScope observed;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition forksEnded = this.lock.newCondition();

	private volatile @Nullable Cancellation cancellation;

	// written once, before cancellation is published
	private long cancelledNanos;

	// guarded by lock
	private State state = State.OPEN;

	private @Nullable List<CancellationListener> listeners;

	private @Nullable Set<DefaultScope> children;

	private @Nullable Set<Fork<?>> forks;

	private @Nullable ArrayDeque<AutoCloseable> cleanups;

	// threads of forks that have ended but may not have terminated yet; close() joins them
	private @Nullable ArrayDeque<Thread> endedForkThreads;

	private Registration deadlineTimer = Registration.NONE;

	// whether close() found work running and so cancels this scope
	private boolean cancelsOnClose;

	private int stragglers;

	private DefaultScope(@Nullable DefaultScope parent, ScopeSettings settings, boolean failureCancelsSiblings,
			long deadlineNanos, @Nullable Instant deadline) {
		this.id = Long.toString(ids.incrementAndGet());
		this.parent = parent;
		this.settings = settings;
		this.failureCancelsSiblings = failureCancelsSiblings;
		this.deadlineNanos = deadlineNanos;
		this.deadline = deadline;
		this.opener = Thread.currentThread();
		this.openerWasInterrupted = this.opener.isInterrupted();
		this.openedNanos = settings.clock().nanoTime();
		// last: the observer may look at this scope
		this.observed = (settings.observer() != ScopeObserver.NONE) ? observeOpen(settings.observer())
				: ObservedScope.NONE;
	}

	private ObservedScope observeOpen(ScopeObserver observer) {
		try {
			return observer.opened(this.view, (this.parent != null) ? this.parent.view : null);
		}
		catch (Throwable ex) {
			observerFailed("opened", ex);
			return ObservedScope.NONE;
		}
	}

	/**
	 * Logs a failure of the observer, which is user code: it must not keep a scope from working.
	 * Failures of {@link ObservedScope#bind} are not handled here: they are the failures of the work.
	 */
	private void observerFailed(String callback, Throwable failure) {
		logger.log(System.Logger.Level.WARNING,
				"The scope observer failed in " + callback + " for scope " + this.id + "; the scope goes on", failure);
	}

	static DefaultScope root(ScopeSettings settings) {
		return new DefaultScope(null, settings, true, NO_DEADLINE, null);
	}

	String id() {
		return this.id;
	}

	@Nullable Cancellation cancellation() {
		return this.cancellation;
	}

	@Nullable Instant deadline() {
		return this.deadline;
	}

	@Override
	public RequestScope view() {
		return this.view;
	}

	@Override
	public CancellableScope openChild(@Nullable Duration timeout) {
		return openChild(timeout, true);
	}

	private DefaultScope openChild(@Nullable Duration timeout, boolean failureCancelsSiblings) {
		ScopeClock clock = this.settings.clock();
		long deadlineNanos = this.deadlineNanos;
		Instant deadline = this.deadline;
		boolean ownTimer = false;
		if (timeout != null) {
			long now = clock.nanoTime();
			long nanos = saturatedNanos(timeout);
			// a timeout beyond what the clock can count to is no deadline at all; one not positive is due now
			long own = (nanos > 0) ? saturatedAdd(now, nanos) : now;
			if (own < deadlineNanos) {
				deadlineNanos = own;
				deadline = plusSaturated(clock.instant(), timeout);
				ownTimer = true;
			}
		}
		// an observer would see a child open that cannot be
		if (this.settings.observer() != ScopeObserver.NONE && refusesChildren()) {
			throw ended("open a child scope");
		}
		DefaultScope child = new DefaultScope(this, this.settings, failureCancelsSiblings, deadlineNanos, deadline);
		this.lock.lock();
		try {
			if (refusesChildrenLocked()) {
				// lost a race with close(): the observer saw the child open, so it sees it end
				if (child.observed != ObservedScope.NONE) {
					child.observeEnd(null);
				}
				throw ended("open a child scope");
			}
			Cancellation cancellation = this.cancellation;
			if (cancellation != null) {
				child.cancelledNanos = clock.nanoTime();
				child.cancellation = cancellation;
				return child;
			}
			if (this.children == null) {
				this.children = new HashSet<>();
			}
			this.children.add(child);
		}
		finally {
			this.lock.unlock();
		}
		if (ownTimer) {
			child.startDeadlineTimer();
		}
		return child;
	}

	private boolean refusesChildren() {
		this.lock.lock();
		try {
			return refusesChildrenLocked();
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
	 */
	private boolean refusesChildrenLocked() {
		return switch (this.state) {
			case OPEN -> false;
			case CLOSING -> this.cancellation == null && !this.cancelsOnClose;
			case CLOSED -> true;
		};
	}

	private IllegalStateException ended(String action) {
		return new IllegalStateException("Scope " + this.id + " has ended; it cannot " + action);
	}

	private void startDeadlineTimer() {
		if (this.deadlineNanos - this.settings.clock().nanoTime() <= 0) {
			cancel(CancellationReason.DEADLINE_EXCEEDED, null);
			return;
		}
		Registration timer = this.settings.clock()
			.schedule(() -> cancel(CancellationReason.DEADLINE_EXCEEDED, null), this.deadlineNanos);
		this.lock.lock();
		try {
			if (this.cancellation == null && this.state != State.CLOSED) {
				this.deadlineTimer = timer;
				return;
			}
		}
		finally {
			this.lock.unlock();
		}
		timer.close();
	}

	@Override
	public boolean cancel(CancellationReason reason, @Nullable Throwable cause) {
		Objects.requireNonNull(reason, "reason");
		return cancel(reason, cause, false) != null;
	}

	/**
	 * Cancels this scope and, with it, its descendants.
	 * @param inherited whether the parent's cancellation cancels this scope
	 * @return what this call stopped, counted only when an observer watches; {@code null} if the
	 * scope was already cancelled or had ended
	 */
	private @Nullable Tally cancel(CancellationReason reason, @Nullable Throwable cause, boolean inherited) {
		boolean counted = this.settings.observer() != ScopeObserver.NONE;
		long now = counted ? this.settings.clock().nanoTime() : 0;
		List<CancellationListener> listeners;
		List<DefaultScope> children;
		List<Fork<?>> forks;
		Registration timer;
		this.lock.lock();
		try {
			if (this.cancellation != null || this.state == State.CLOSED) {
				return null;
			}
			this.cancelledNanos = now;
			this.cancellation = new Cancellation(reason, cause);
			listeners = this.listeners;
			this.listeners = null;
			children = (this.children != null) ? List.copyOf(this.children) : List.of();
			forks = (this.forks != null) ? List.copyOf(this.forks) : List.of();
			timer = this.deadlineTimer;
			this.deadlineTimer = Registration.NONE;
		}
		finally {
			this.lock.unlock();
		}
		timer.close();
		Tally tally = counted ? new Tally() : UNCOUNTED;
		if (listeners != null) {
			for (CancellationListener listener : listeners) {
				notify(listener, reason, cause);
				if (counted && listener instanceof AbortableRegion region && region.aborted()) {
					tally.regions.merge(region.kind(), 1, Integer::sum);
				}
			}
		}
		for (DefaultScope child : children) {
			Tally inChild = child.cancel(reason, cause, true);
			if (counted && inChild != null) {
				tally.add(inChild);
			}
		}
		for (Fork<?> fork : forks) {
			fork.stop();
		}
		if (counted) {
			tally.forks += forks.size();
			if (this.observed != ObservedScope.NONE) {
				try {
					this.observed.cancelled(new ScopeCancellation(reason, cause, inherited, tally.forks,
							Map.copyOf(tally.regions), tally.scopes));
				}
				catch (Throwable ex) {
					observerFailed("cancelled", ex);
				}
			}
		}
		return tally;
	}

	private void notify(CancellationListener listener, CancellationReason reason, @Nullable Throwable cause) {
		try {
			listener.cancelled(reason, cause);
		}
		catch (Throwable ex) {
			logger.log(System.Logger.Level.WARNING, "A cancellation listener of scope " + this.id + " failed", ex);
		}
	}

	Registration onCancel(CancellationListener listener) {
		Objects.requireNonNull(listener, "listener");
		Cancellation cancellation;
		this.lock.lock();
		try {
			cancellation = this.cancellation;
			if (cancellation == null) {
				if (this.state == State.CLOSED) {
					return Registration.NONE;
				}
				if (this.listeners == null) {
					this.listeners = new ArrayList<>(4);
				}
				this.listeners.add(listener);
				return () -> removeListener(listener);
			}
		}
		finally {
			this.lock.unlock();
		}
		notify(listener, cancellation.reason(), cancellation.cause());
		return Registration.NONE;
	}

	private void removeListener(CancellationListener listener) {
		this.lock.lock();
		try {
			List<CancellationListener> listeners = this.listeners;
			if (listeners != null) {
				for (int i = listeners.size() - 1; i >= 0; i--) {
					if (listeners.get(i) == listener) {
						listeners.remove(i);
						return;
					}
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	void throwIfCancelled() {
		Cancellation cancellation = this.cancellation;
		if (cancellation != null) {
			throw cancellation.toException();
		}
	}

	Optional<Duration> remaining() {
		if (this.deadlineNanos == NO_DEADLINE) {
			return Optional.empty();
		}
		long left = this.deadlineNanos - this.settings.clock().nanoTime();
		return Optional.of(Duration.ofNanos(Math.max(0, left)));
	}

	@Override
	public <R, X extends Throwable> R call(ScopedValue.CallableOp<? extends R, X> op) throws X {
		if (this.observed == ObservedScope.NONE) {
			return ScopedValue.where(ScopeBinding.CURRENT, this).call(op);
		}
		return ScopedValue.where(ScopeBinding.CURRENT, this).call(() -> this.observed.bind(op));
	}

	<T> Fork<T> fork(Callable<? extends T> task, @Nullable Consumer<Fork<?>> whenDone) {
		Objects.requireNonNull(task, "task");
		Callable<T> body = (this.observed != ObservedScope.NONE) ? () -> this.observed.bind(task::call) : task::call;
		Callable<T> captured = this.settings.contextCapture().capture(body);
		Fork<T> fork = new Fork<>(this, captured, whenDone);
		this.lock.lock();
		try {
			throwIfCancelled();
			// once closing, a new fork could outlive close(): its forks have been awaited already
			if (this.state != State.OPEN) {
				throw new IllegalStateException("Scope " + this.id + " has ended; it cannot fork");
			}
			if (this.forks == null) {
				this.forks = new HashSet<>();
			}
			this.forks.add(fork);
		}
		finally {
			this.lock.unlock();
		}
		try {
			fork.start();
		}
		catch (Throwable ex) {
			forkEnded(fork);
			throw ex;
		}
		return fork;
	}

	void forkFailed(Throwable failure) {
		if (this.failureCancelsSiblings && this.cancellation == null) {
			cancel(CancellationReason.SIBLING_FAILED, failure);
		}
	}

	// a fork whose task has finished may still be on its way out: that is no reason to cancel
	private boolean hasUnfinishedFork() {
		if (this.forks != null) {
			for (Fork<?> fork : this.forks) {
				if (fork.state() == Subtask.State.RUNNING) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Called on the fork's thread as the last thing it does.
	 */
	void forkEnded(Fork<?> fork) {
		this.lock.lock();
		try {
			if (this.forks != null && this.forks.remove(fork)) {
				ArrayDeque<Thread> ended = this.endedForkThreads;
				if (ended == null) {
					ended = new ArrayDeque<>(4);
					this.endedForkThreads = ended;
				}
				while (!ended.isEmpty() && !ended.peekFirst().isAlive()) {
					ended.pollFirst();
				}
				ended.addLast(fork.thread());
				if (this.forks.isEmpty()) {
					this.forksEnded.signalAll();
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	<T> List<T> all(List<? extends Callable<? extends T>> tasks) {
		try (DefaultScope group = openChild(null, true)) {
			List<Fork<? extends T>> forks = new ArrayList<>(tasks.size());
			for (Callable<? extends T> task : tasks) {
				forks.add(group.fork(task, null));
			}
			List<T> results = new ArrayList<>(forks.size());
			for (Fork<? extends T> fork : forks) {
				fork.join();
			}
			// every fork has succeeded here: a failure cancels the group and join() throws
			for (Fork<? extends T> fork : forks) {
				results.add(fork.outcome());
			}
			return results;
		}
		catch (ScopeCancelledException ex) {
			throw unwrapGroupFailure(ex);
		}
	}

	/**
	 * Returns what {@link #all} throws when its group was cancelled: the failure of a task, as
	 * {@link Fork#propagate} has it, unless this scope itself was cancelled.
	 */
	private RuntimeException unwrapGroupFailure(ScopeCancelledException ex) {
		Throwable cause = ex.getCause();
		if (this.cancellation == null && ex.reason() == CancellationReason.SIBLING_FAILED && cause != null) {
			return Fork.propagate(cause);
		}
		return ex;
	}

	<T> T race(List<? extends Callable<? extends T>> tasks) {
		if (tasks.isEmpty()) {
			throw new IllegalArgumentException("race needs at least one task");
		}
		LinkedBlockingQueue<Fork<?>> finished = new LinkedBlockingQueue<>();
		try (DefaultScope group = openChild(null, false)) {
			List<Fork<? extends T>> forks = new ArrayList<>(tasks.size());
			for (Callable<? extends T> task : tasks) {
				forks.add(group.fork(task, finished::add));
			}
			Throwable failure = null;
			for (int i = 0; i < forks.size(); i++) {
				Fork<?> fork = takeUninterruptibly(finished);
				if (fork.state() == Subtask.State.SUCCEEDED) {
					group.cancel(CancellationReason.CANCELLED, null);
					@SuppressWarnings("unchecked")
					T winner = (T) fork.outcome();
					return winner; // group.close() waits for the losers and their cleanups first
				}
				if (failure == null) {
					failure = fork.failure();
				}
				else if (fork.failure() != null && fork.failure() != failure) {
					failure.addSuppressed(fork.failure());
				}
			}
			throwIfCancelled();
			throw Fork.propagate(Objects.requireNonNull(failure));
		}
	}

	private static Fork<?> takeUninterruptibly(LinkedBlockingQueue<Fork<?>> queue) {
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

	void defer(AutoCloseable cleanup) {
		Objects.requireNonNull(cleanup, "cleanup");
		this.lock.lock();
		try {
			if (this.state != State.CLOSED) {
				if (this.cleanups == null) {
					this.cleanups = new ArrayDeque<>(4);
				}
				this.cleanups.push(cleanup);
				return;
			}
		}
		finally {
			this.lock.unlock();
		}
		try {
			cleanup.close();
		}
		catch (Exception ex) {
			throw asUnchecked(ex);
		}
	}

	<T, X extends Throwable> T guarded(String kind, Runnable abort, boolean clearInterrupt,
			ScopedValue.CallableOp<? extends T, X> body) throws X {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(abort, "abort");
		Objects.requireNonNull(body, "body");
		throwIfCancelled();
		Fork<?> fork = ScopeBinding.currentFork();
		if (fork != null) {
			fork.enterRegion();
		}
		try {
			boolean wasInterrupted = clearInterrupt && Thread.currentThread().isInterrupted();
			AbortableRegion region = new AbortableRegion(kind, abort, clearInterrupt, ScopeBinding.currentRegion());
			Registration registration = onCancel(region);
			try {
				Cancellation refused = region.begin();
				if (refused != null) {
					throw refused.toException();
				}
				return ScopedValue.where(ScopeBinding.REGION, region).call(body);
			}
			finally {
				registration.close();
				if (region.exit() && clearInterrupt && !wasInterrupted) {
					Thread.interrupted();
				}
			}
		}
		finally {
			if (fork != null) {
				fork.exitRegion();
			}
		}
	}

	@Override
	public void close() {
		boolean busy;
		this.lock.lock();
		try {
			if (this.state != State.OPEN) {
				return;
			}
			this.state = State.CLOSING;
			busy = hasUnfinishedFork() || (this.children != null && !this.children.isEmpty());
			this.cancelsOnClose = busy;
		}
		finally {
			this.lock.unlock();
		}
		// an interrupt set before close began is the scope's business (see restoreInterruptStatus);
		// one that arrives while close waits comes from outside and is kept
		boolean interruptedBefore = Thread.interrupted();
		if (busy) {
			cancel(CancellationReason.CANCELLED, null);
		}
		boolean interrupted = awaitForks();
		Throwable failure = runCleanupsAndEnd();
		Registration timer;
		this.lock.lock();
		try {
			this.listeners = null;
			this.children = null;
			timer = this.deadlineTimer;
			this.deadlineTimer = Registration.NONE;
		}
		finally {
			this.lock.unlock();
		}
		timer.close();
		if (this.parent != null) {
			this.parent.childEnded(this);
		}
		if (this.observed != ObservedScope.NONE) {
			observeEnd(failure);
		}
		restoreInterruptStatus(interruptedBefore, interrupted);
		if (failure instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (failure instanceof Error error) {
			throw error;
		}
	}

	private void observeEnd(@Nullable Throwable cleanupFailure) {
		Cancellation cancellation = this.cancellation;
		long nanos = -1;
		int stragglers;
		this.lock.lock();
		try {
			stragglers = this.stragglers;
			if (cancellation != null) {
				nanos = Math.max(0, this.settings.clock().nanoTime() - this.cancelledNanos);
			}
		}
		finally {
			this.lock.unlock();
		}
		try {
			this.observed.closed(new ScopeEnd((cancellation != null) ? cancellation.reason() : null,
					(cancellation != null) ? cancellation.cause() : null, nanos, stragglers, cleanupFailure));
		}
		catch (Throwable ex) {
			observerFailed("closed", ex);
		}
	}

	/**
	 * Waits for every fork to end and its thread to terminate, at most the close timeout, ignoring
	 * interrupts. Called with the interrupt status cleared.
	 * @return whether the thread was interrupted while waiting
	 */
	private boolean awaitForks() {
		boolean interrupted = false;
		List<Fork<?>> stragglers = List.of();
		ArrayDeque<Thread> ended;
		long start = System.nanoTime();
		long timeout = saturatedNanos(this.settings.closeTimeout());
		this.lock.lock();
		try {
			while (this.forks != null && !this.forks.isEmpty()) {
				long left = timeout - (System.nanoTime() - start);
				if (left <= 0) {
					stragglers = List.copyOf(this.forks);
					this.stragglers = stragglers.size();
					break;
				}
				try {
					this.forksEnded.awaitNanos(left);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			ended = this.endedForkThreads;
			this.endedForkThreads = null;
		}
		finally {
			this.lock.unlock();
		}
		// an ended fork has done all its work, but its thread may still be on its way out
		if (ended != null) {
			for (Thread thread : ended) {
				interrupted |= awaitTermination(thread, timeout - (System.nanoTime() - start));
			}
		}
		for (Fork<?> straggler : stragglers) {
			reportStraggler(straggler);
		}
		// a wait that was signalled and interrupted at once returns normally with the status set
		return Thread.interrupted() || interrupted;
	}

	/**
	 * Waits for a thread to terminate, at most {@code nanos}, ignoring interrupts.
	 * @return whether the calling thread was interrupted while waiting
	 */
	private static boolean awaitTermination(Thread thread, long nanos) {
		boolean interrupted = false;
		long start = System.nanoTime();
		for (;;) {
			long left = nanos - (System.nanoTime() - start);
			if (!thread.isAlive() || left <= 0) {
				return interrupted;
			}
			try {
				thread.join(Duration.ofNanos(left));
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
	}

	private void reportStraggler(Fork<?> straggler) {
		Thread thread = straggler.thread();
		Throwable where = new Throwable("Stack of " + thread);
		where.setStackTrace(thread.getStackTrace());
		logger.log(System.Logger.Level.WARNING,
				"A task forked in scope " + this.id + " was still running " + this.settings.closeTimeout().toMillis()
						+ " ms after the scope began to close. It keeps running, outside any scope: make it "
						+ "respond to interrupts or run its blocking calls in abortable regions.",
				where);
	}

	/**
	 * Runs the cleanups, including any deferred meanwhile, and marks the scope closed in the same
	 * step that finds none left, so that a cleanup deferred concurrently either runs here or, once
	 * the scope is closed, at once on the deferring thread.
	 * @return the first failure, with the others suppressed, checked ones wrapped
	 */
	private @Nullable Throwable runCleanupsAndEnd() {
		Throwable failure = null;
		for (;;) {
			AutoCloseable cleanup;
			this.lock.lock();
			try {
				cleanup = (this.cleanups != null) ? this.cleanups.poll() : null;
				if (cleanup == null) {
					this.state = State.CLOSED;
					this.cleanups = null;
				}
			}
			finally {
				this.lock.unlock();
			}
			if (cleanup == null) {
				return failure;
			}
			try {
				cleanup.close();
			}
			catch (Throwable ex) {
				if (failure == null) {
					failure = (ex instanceof RuntimeException || ex instanceof Error) ? ex
							: new ScopeCleanupException(this.id, ex);
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
	}

	private void childEnded(DefaultScope child) {
		this.lock.lock();
		try {
			if (this.children != null) {
				this.children.remove(child);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void restoreInterruptStatus(boolean interruptedBeforeClosing, boolean interruptedWhileClosing) {
		Thread current = Thread.currentThread();
		if (current != this.opener) {
			if (interruptedBeforeClosing || interruptedWhileClosing) {
				current.interrupt();
			}
			return;
		}
		// clear first, then look: a stop racing this close is either seen below or lands after the clear
		Thread.interrupted();
		Fork<?> fork = ScopeBinding.currentFork();
		// inside an abortable region a stopped fork gets its interrupt when the region exits, not here
		boolean stoppedFork = fork != null && fork.isStopped() && !fork.isInRegion();
		boolean keep = this.openerWasInterrupted || interruptedWhileClosing || stoppedFork
				|| AbortableRegion.interruptDelivered(ScopeBinding.currentRegion());
		if (keep) {
			current.interrupt();
		}
	}

	/**
	 * Returns a cleanup's failure as the caller is to throw it; an {@link Error} is thrown here.
	 */
	private RuntimeException asUnchecked(Throwable failure) {
		if (failure instanceof RuntimeException runtime) {
			return runtime;
		}
		if (failure instanceof Error error) {
			throw error;
		}
		return new ScopeCleanupException(this.id, failure);
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
		}
	}

	/**
	 * Adds a positive timeout to a tick; {@link #NO_DEADLINE} if the sum is beyond what a tick can hold.
	 */
	private static long saturatedAdd(long tick, long nanos) {
		long sum = tick + nanos;
		return (nanos == Long.MAX_VALUE || sum < tick) ? NO_DEADLINE : sum;
	}

	private static Instant plusSaturated(Instant instant, Duration duration) {
		try {
			return instant.plus(duration);
		}
		catch (DateTimeException | ArithmeticException ex) {
			return duration.isNegative() ? Instant.MIN : Instant.MAX;
		}
	}

	@Override
	public ScopeSnapshot snapshot() {
		Cancellation cancellation;
		List<DefaultScope> children;
		List<Fork<?>> forks;
		List<AbortableRegion> regions = new ArrayList<>();
		this.lock.lock();
		try {
			cancellation = this.cancellation;
			children = (this.children != null) ? List.copyOf(this.children) : List.of();
			forks = (this.forks != null) ? List.copyOf(this.forks) : List.of();
			if (this.listeners != null) {
				for (CancellationListener listener : this.listeners) {
					if (listener instanceof AbortableRegion region) {
						regions.add(region);
					}
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		// regions are asked outside the scope's lock: a region's abort may call into the scope
		List<AbortableRegion> active = regions.stream().filter(AbortableRegion::isActive).toList();
		List<ScopeSnapshot.ForkSnapshot> forkSnapshots = new ArrayList<>(forks.size());
		for (Fork<?> fork : forks) {
			Thread thread = fork.thread();
			forkSnapshots.add(new ScopeSnapshot.ForkSnapshot(thread.getName(), thread.getState(),
					countByKind(active.stream().filter((region) -> region.thread() == thread).toList())));
		}
		List<ScopeSnapshot> childSnapshots = new ArrayList<>(children.size());
		for (DefaultScope child : children) {
			childSnapshots.add(child.snapshot());
		}
		ScopeClock clock = this.settings.clock();
		Duration age = Duration.ofNanos(Math.max(0, clock.nanoTime() - this.openedNanos));
		return new ScopeSnapshot(this.id, age, this.deadline, remaining().orElse(null),
				(cancellation != null) ? cancellation.reason() : null, List.copyOf(forkSnapshots),
				countByKind(active), List.copyOf(childSnapshots));
	}

	private static Map<String, Integer> countByKind(List<AbortableRegion> regions) {
		if (regions.isEmpty()) {
			return Map.of();
		}
		Map<String, Integer> counts = new HashMap<>();
		for (AbortableRegion region : regions) {
			counts.merge(region.kind(), 1, Integer::sum);
		}
		return Map.copyOf(counts);
	}

	@Override
	public String toString() {
		return "CancellableScope[" + this.id + "]";
	}

	/**
	 * What a cancellation stopped, in a scope and its descendants.
	 */
	private static final class Tally {

		private final Map<String, Integer> regions = new HashMap<>(4);

		private int forks;

		private int scopes;

		void add(Tally child) {
			this.forks += child.forks;
			this.scopes += 1 + child.scopes;
			child.regions.forEach((kind, count) -> this.regions.merge(kind, count, Integer::sum));
		}

	}

}
