package io.github.cancelscope;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.github.cancelscope.spi.ScopeClock;
import org.jspecify.annotations.Nullable;

/**
 * A point in time by which a scope must end, as a tick of its {@link ScopeClock} and, for reports,
 * an instant. Arithmetic saturates: a timeout beyond what a tick can count to is no deadline at all,
 * and one not positive is due now. "Has it passed?" is answered here and nowhere else.
 */
final class Deadline {

	static final Deadline NONE = new Deadline(Long.MAX_VALUE, null, null);

	private final long nanos;

	// the clock that tells the instant, on first use: most deadlines are never asked for it
	private final @Nullable ScopeClock clock;

	// guarded by this
	private @Nullable Instant instant;

	private Deadline(long nanos, @Nullable ScopeClock clock, @Nullable Instant instant) {
		this.nanos = nanos;
		this.clock = clock;
		this.instant = instant;
	}

	/**
	 * Returns the deadline {@code timeout} after {@code now}, a tick of {@code clock}.
	 */
	static Deadline after(ScopeClock clock, long now, Duration timeout) {
		long timeoutNanos = saturatedNanos(timeout);
		if (timeoutNanos <= 0) {
			return new Deadline(now, null, plusSaturated(clock.instant(), timeout));
		}
		long sum = now + timeoutNanos;
		if (timeoutNanos == Long.MAX_VALUE || sum < now || sum == Long.MAX_VALUE) {
			return NONE;
		}
		return new Deadline(sum, clock, null);
	}

	boolean isNone() {
		return this == NONE;
	}

	boolean isBefore(Deadline other) {
		return this.nanos < other.nanos;
	}

	/**
	 * Returns the tick at which the deadline falls due.
	 */
	long nanos() {
		return this.nanos;
	}

	boolean hasPassed(ScopeClock clock) {
		return this != NONE && this.nanos - clock.nanoTime() <= 0;
	}

	Optional<Duration> remaining(ScopeClock clock) {
		if (this == NONE) {
			return Optional.empty();
		}
		return Optional.of(Duration.ofNanos(Math.max(0, this.nanos - clock.nanoTime())));
	}

	synchronized @Nullable Instant instant() {
		ScopeClock clock = this.clock;
		if (this.instant == null && clock != null) {
			this.instant = plusSaturated(clock.instant(), Duration.ofNanos(this.nanos - clock.nanoTime()));
		}
		return this.instant;
	}

	static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
		}
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
	public String toString() {
		return (this == NONE) ? "Deadline[none]" : "Deadline[" + instant() + "]";
	}

}
