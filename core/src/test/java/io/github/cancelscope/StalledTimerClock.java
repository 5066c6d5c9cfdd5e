package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import io.github.cancelscope.spi.ScopeClock;

/**
 * A clock that moves only when told to and whose timers never fire, as an expiry thread that lags
 * behind a deadline: what a scope answers once its deadline has passed and before anything
 * cancelled it.
 */
public final class StalledTimerClock implements ScopeClock {

	private final Instant start;

	private final AtomicLong nanos = new AtomicLong();

	public StalledTimerClock(Instant start) {
		this.start = start;
	}

	public void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

	@Override
	public long nanoTime() {
		return this.nanos.get();
	}

	@Override
	public Instant instant() {
		return this.start.plusNanos(this.nanos.get());
	}

	@Override
	public Registration schedule(Runnable action, long atNanoTime) {
		return Registration.NONE;
	}

}
