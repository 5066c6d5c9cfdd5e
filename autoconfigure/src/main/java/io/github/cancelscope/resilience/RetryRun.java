package io.github.cancelscope.resilience;

import java.time.Duration;
import java.util.Optional;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import org.jspecify.annotations.Nullable;

/**
 * One call of a {@code @Retryable} method in a scope: the child scope its attempts and back-off
 * sleeps run in, and whether the retries were given up for lack of time. Confined to the calling
 * thread.
 */
final class RetryRun {

	private static final ThreadLocal<@Nullable RetryRun> current = new ThreadLocal<>();

	private final CancellableScope scope;

	private final RetryDelays delays;

	private final Duration minRemaining;

	private int failures;

	private @Nullable Throwable givenUpAfter;

	RetryRun(CancellableScope scope, RetryDelays delays, Duration minRemaining) {
		this.scope = scope;
		this.delays = delays;
		this.minRemaining = minRemaining;
	}

	static @Nullable RetryRun current() {
		return current.get();
	}

	@Nullable RetryRun bind() {
		RetryRun previous = current.get();
		current.set(this);
		return previous;
	}

	static void restore(@Nullable RetryRun previous) {
		if (previous == null) {
			current.remove();
		}
		else {
			current.set(previous);
		}
	}

	CancellableScope scope() {
		return this.scope;
	}

	/**
	 * Called when an attempt failed: if the scope's deadline leaves less time than the minimum, or
	 * than the delay before the next attempt, gives the retries up, which ends the back-off sleep at
	 * once.
	 */
	void attemptFailed(Throwable failure) {
		this.failures++;
		Optional<Duration> remaining = this.scope.remaining();
		if (remaining.isEmpty() || !this.delays.retriesAfter(this.failures)) {
			return;
		}
		Duration needed = this.delays.delayAfter(this.failures);
		if (needed.compareTo(this.minRemaining) < 0) {
			needed = this.minRemaining;
		}
		if (remaining.get().compareTo(needed) < 0) {
			this.givenUpAfter = failure;
			this.scope.cancel(CancellationReason.CANCELLED, failure);
		}
	}

	/**
	 * Returns the failure after which the retries were given up for lack of time, if they were.
	 */
	@Nullable Throwable givenUpAfter() {
		return this.givenUpAfter;
	}

}
