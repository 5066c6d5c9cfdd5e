package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.github.cancelscope.spi.ContextCapture;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeClock;
import io.github.cancelscope.spi.ScopeObserver;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.spi.ScopeSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * The one implementation of a scope: what it is (id, options, deadline, place in the tree) and
 * its API. Each concern lives in a class of its own: the cancel and close state machine in
 * {@link ScopeLifecycle}, time in {@link Deadline}, forks in {@link Fork} and {@link ForkGroup},
 * cleanups in {@link CleanupStack}, regions in {@link AbortableRegion}, interrupts in
 * {@link InterruptPolicy}, observers in {@link ScopeEvents}, {@code all} and {@code race} in
 * {@link Joins}, and the thread binding in {@link ScopeBinding}.
 */
final class DefaultScope extends ChildScopes.Sibling implements CancellableScope {

	/** The cancellation of a scope whose deadline passed. */
	static final Cancellation DEADLINE_PASSED = Cancellation.of(CancellationReason.DEADLINE_EXCEEDED, null);

	private static final ScopeOptions ROOT = ScopeOptions.of(ScopeOptions.APPLICATION);

	private final long number;

	private final String id;

	private final ScopeOptions options;

	private final @Nullable DefaultScope parent;

	private final ScopeSettings settings;

	private final Deadline deadline;

	private final long openedNanos;

	private final ScopeLifecycle lifecycle;

	// the root's, shared by its descendants
	private final ForkThreads forkThreads;

	private final ObservedScope observed;

	private DefaultScope(@Nullable DefaultScope parent, ScopeSettings settings, ScopeOptions options,
			Deadline deadline, long openedNanos, ForkThreads forkThreads) {
		this.number = ScopeNumbers.next();
		this.id = Long.toString(this.number);
		this.options = options;
		this.parent = parent;
		this.settings = settings;
		this.deadline = deadline;
		this.openedNanos = openedNanos;
		this.lifecycle = new ScopeLifecycle(this);
		this.forkThreads = forkThreads;
		// last: the observer may look at this scope
		this.observed = ScopeEvents.opened(settings.observer(), this, parent);
	}

	static DefaultScope root(ScopeSettings settings) {
		Objects.requireNonNull(settings, "settings");
		return root(settings, ForkThreads.create(settings.maxPlatformForkThreads()));
	}

	/**
	 * Returns a root whose forks run on {@code forkThreads}, whatever this JVM would choose; for tests.
	 */
	static DefaultScope root(ScopeSettings settings, ForkThreads forkThreads) {
		return new DefaultScope(null, settings, ROOT, Deadline.NONE, settings.clock().nanoTime(), forkThreads);
	}

	/**
	 * Returns the number this scope's id is made of, unique in the JVM ({@link ScopeNumbers}).
	 */
	long number() {
		return this.number;
	}

	boolean isRoot() {
		return this.parent == null;
	}

	ScopeSettings settings() {
		return this.settings;
	}

	ScopeLifecycle lifecycle() {
		return this.lifecycle;
	}

	ObservedScope observed() {
		return this.observed;
	}

	ForkThreads forkThreads() {
		return this.forkThreads;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public String kind() {
		return this.options.kind();
	}

	@Override
	public String name() {
		return this.options.name();
	}

	@Override
	public String description() {
		return this.options.description();
	}

	@Override
	public boolean isCancelled() {
		return cancellationNow() != null;
	}

	@Override
	public void throwIfCancelled() {
		Cancellation cancellation = cancellationNow();
		if (cancellation != null) {
			throw cancellation.toException();
		}
	}

	@Override
	public Optional<Cancellation> cancellation() {
		return Optional.ofNullable(cancellationNow());
	}

	/**
	 * Throws if the scope is cancelled, as a region about to begin asks: as {@link #throwIfCancelled()},
	 * except that once the system clock's timer is armed for the deadline, it is trusted to cancel the
	 * scope on time (and so to abort the region), and the clock is not read. A page runs a region per
	 * statement, and a read costs about 28 ns on a virtual machine's clock. Any other clock, such as a
	 * test's whose timers lag, is read every time.
	 */
	void throwIfCancelledBeforeRegion() {
		Cancellation cancellation = this.lifecycle.cancellation();
		boolean timerTrusted = this.settings.clock() == ScopeClock.system() && this.lifecycle.deadlineArmed();
		if (cancellation == null && !timerTrusted) {
			cancellation = cancellationNow();
		}
		if (cancellation != null) {
			throw cancellation.toException();
		}
	}

	/**
	 * Returns the cancellation; a deadline that has passed cancels the scope here if its timer has
	 * not fired yet.
	 */
	private @Nullable Cancellation cancellationNow() {
		Cancellation cancellation = this.lifecycle.cancellation();
		if (cancellation != null || !this.deadline.hasPassed(this.settings.clock())) {
			return cancellation;
		}
		this.lifecycle.cancel(DEADLINE_PASSED, false);
		cancellation = this.lifecycle.cancellation();
		return (cancellation != null) ? cancellation : DEADLINE_PASSED;
	}

	/**
	 * Returns the cancellation as recorded, without looking at the deadline.
	 */
	@Nullable Cancellation cancellationOrNull() {
		return this.lifecycle.cancellation();
	}

	@Override
	public Optional<Instant> deadline() {
		return Optional.ofNullable(this.deadline.instant());
	}

	@Override
	public Optional<Duration> remaining() {
		return this.deadline.remaining(this.settings.clock());
	}

	@Override
	public CancellableScope openChild(ScopeOptions options) {
		Objects.requireNonNull(options, "options");
		Duration timeout = options.timeoutOrNull();
		Deadline deadline = this.deadline;
		long now = this.settings.clock().nanoTime();
		if (timeout != null) {
			Deadline own = Deadline.after(this.settings.clock(), now, timeout);
			if (own.isBefore(deadline)) {
				deadline = own;
			}
		}
		// an observer would see a child open that cannot be
		if (this.settings.observer() != ScopeObserver.NONE && this.lifecycle.refusesChildren()) {
			throw this.lifecycle.ended("open a child scope");
		}
		DefaultScope child = new DefaultScope(this, this.settings, options, deadline, now, this.forkThreads);
		this.lifecycle.adopt(child);
		if (deadline != this.deadline) {
			child.lifecycle.deferTimer(deadline);
		}
		return child;
	}

	@Override
	public boolean cancel(CancellationReason reason, @Nullable Throwable cause) {
		return this.lifecycle.cancel(Cancellation.of(reason, cause), false) != null;
	}

	@Override
	public Registration onCancel(CancellationListener listener) {
		return this.lifecycle.onCancel(Objects.requireNonNull(listener, "listener"));
	}

	@Override
	public <R, X extends Throwable> R call(CheckedCallable<? extends R, X> op) throws X {
		Objects.requireNonNull(op, "op");
		if (this.observed == ObservedScope.NONE) {
			return ScopeBinding.callIn(this, op);
		}
		return ScopeBinding.callIn(this, () -> this.observed.bind(op));
	}

	@Override
	public <T> Subtask<T> fork(Callable<? extends T> task) {
		Objects.requireNonNull(task, "task");
		// a passed deadline refuses the fork even before its timer fires
		throwIfCancelled();
		Callable<? extends T> body = task;
		if (this.observed != ObservedScope.NONE) {
			body = () -> this.observed.bind(task::call);
		}
		ContextCapture capture = this.settings.contextCapture();
		if (capture != ContextCapture.NONE) {
			body = capture.capture(body::call);
		}
		Fork<T> fork = new Fork<>(this, body);
		this.lifecycle.addFork(fork);
		try {
			fork.start();
		}
		catch (Throwable ex) {
			this.lifecycle.forkEnded(fork);
			throw ex;
		}
		return fork;
	}

	/**
	 * Called on a fork's thread when its task failed: its siblings are cancelled.
	 */
	void forkFailed(Throwable failure) {
		if (this.lifecycle.cancellation() == null) {
			this.lifecycle.cancel(Cancellation.of(CancellationReason.SIBLING_FAILED, failure), false);
		}
	}

	/**
	 * Called on a fork's thread as the last thing it does.
	 */
	void forkEnded(Fork<?> fork) {
		this.lifecycle.forkEnded(fork);
	}

	@Override
	public void defer(AutoCloseable cleanup) {
		this.lifecycle.defer(Objects.requireNonNull(cleanup, "cleanup"));
	}

	@Override
	public <T, X extends Throwable> T abortable(String kind, Runnable abort, CheckedCallable<? extends T, X> body)
			throws X {
		return AbortableRegion.run(this, kind, Objects.requireNonNull(abort, "abort"), false, body);
	}

	@Override
	public <T, X extends Throwable> T interruptible(String kind, CheckedCallable<? extends T, X> body) throws X {
		return AbortableRegion.run(this, kind, null, true, body);
	}

	@Override
	public void close() {
		// a deadline that passed with no timer armed (nothing was registered) counts as it would have
		cancellationNow();
		if (this.parent != null) {
			this.lifecycle.close(this.parent.lifecycle, this.settings.closeTimeout());
			return;
		}
		try {
			this.lifecycle.close(null, this.settings.closeTimeout());
		}
		finally {
			this.forkThreads.shutdown();
		}
	}

	@Override
	public ScopeSnapshot snapshot() {
		cancellationNow();
		return this.lifecycle.snapshot(Duration.ofNanos(Math.max(0, this.settings.clock().nanoTime() - this.openedNanos)));
	}

	@Override
	public List<CancellableScope> children() {
		return this.lifecycle.children();
	}

	@Override
	public String toString() {
		return "RequestScope[" + this.id + ", " + this.options.kind() + " " + this.options.description() + "]";
	}

}
