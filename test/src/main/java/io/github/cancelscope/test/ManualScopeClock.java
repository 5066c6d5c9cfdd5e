package io.github.cancelscope.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

import io.github.cancelscope.Registration;
import io.github.cancelscope.spi.ScopeClock;

/**
 * A {@link ScopeClock} that moves only when told to. Due timers run on the thread that calls
 * {@link #advance(Duration)}, before it returns, so a deadline test needs no sleep and no wait.
 * {@snippet :
 * ManualScopeClock clock = new ManualScopeClock();
 * CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
 * CancellableScope request = root.openChild(Duration.ofSeconds(2));
 * clock.advance(Duration.ofSeconds(2));
 * assert request.isCancelled();
 * }
 * Safe for use by several threads.
 */
public final class ManualScopeClock implements ScopeClock {

	private final Instant start;

	private final PriorityQueue<Timer> timers = new PriorityQueue<>();

	private long nanos;

	private long sequence;

	/** Creates a clock that starts at 2026-01-01T00:00:00Z. */
	public ManualScopeClock() {
		this(Instant.parse("2026-01-01T00:00:00Z"));
	}

	/**
	 * Creates a clock that starts at the given instant.
	 * @param start the initial wall-clock time
	 */
	public ManualScopeClock(Instant start) {
		this.start = start;
	}

	@Override
	public synchronized long nanoTime() {
		return this.nanos;
	}

	@Override
	public synchronized Instant instant() {
		return this.start.plusNanos(this.nanos);
	}

	@Override
	public synchronized Registration schedule(Runnable action, long atNanoTime) {
		Timer timer = new Timer(atNanoTime, this.sequence++, action);
		this.timers.add(timer);
		return () -> {
			synchronized (this) {
				this.timers.remove(timer);
			}
		};
	}

	/**
	 * Moves the clock forward and runs, on the calling thread, every timer that became due, in
	 * order of their due time.
	 * @param duration how far, not negative
	 */
	public void advance(Duration duration) {
		if (duration.isNegative()) {
			throw new IllegalArgumentException("A clock only moves forward; got " + duration);
		}
		List<Runnable> due = new ArrayList<>();
		synchronized (this) {
			this.nanos += duration.toNanos();
			while (!this.timers.isEmpty() && this.timers.peek().at <= this.nanos) {
				due.add(this.timers.poll().action);
			}
		}
		due.forEach(Runnable::run);
	}

	/**
	 * Returns how many timers are scheduled and not yet due or cancelled.
	 * @return the number of pending timers
	 */
	public synchronized int pendingTimers() {
		return this.timers.size();
	}

	private record Timer(long at, long sequence, Runnable action) implements Comparable<Timer> {

		@Override
		public int compareTo(Timer other) {
			int byTime = Long.compare(this.at, other.at);
			return (byTime != 0) ? byTime : Long.compare(this.sequence, other.sequence);
		}

	}

}
