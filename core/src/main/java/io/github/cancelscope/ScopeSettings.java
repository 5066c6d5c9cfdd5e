package io.github.cancelscope;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings shared by a root scope and all its descendants.
 *
 * @param clock the time source and deadline timer
 * @param closeTimeout how long closing a scope waits for its forked tasks before it reports the
 * stragglers and goes on
 * @param contextCapture carries the forking thread's context to forked tasks
 * @param observer watches the scopes open, get cancelled and end
 */
public record ScopeSettings(ScopeClock clock, Duration closeTimeout, ContextCapture contextCapture,
		ScopeObserver observer) {

	/** Default {@link #closeTimeout()}. */
	public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * Validates the settings.
	 * @param clock the time source and deadline timer
	 * @param closeTimeout the close timeout, not negative
	 * @param contextCapture the context propagation
	 * @param observer the observer
	 */
	public ScopeSettings {
		Objects.requireNonNull(clock, "clock");
		Objects.requireNonNull(contextCapture, "contextCapture");
		Objects.requireNonNull(observer, "observer");
		if (closeTimeout.isNegative()) {
			throw new IllegalArgumentException("closeTimeout must not be negative, was " + closeTimeout);
		}
	}

	/**
	 * Creates settings without an observer.
	 * @param clock the time source and deadline timer
	 * @param closeTimeout the close timeout, not negative
	 * @param contextCapture the context propagation
	 */
	public ScopeSettings(ScopeClock clock, Duration closeTimeout, ContextCapture contextCapture) {
		this(clock, closeTimeout, contextCapture, ScopeObserver.NONE);
	}

	/**
	 * Returns the defaults: the system clock, a close timeout of 10 seconds, no context propagation,
	 * no observer.
	 * @return the default settings
	 */
	public static ScopeSettings defaults() {
		return new ScopeSettings(ScopeClock.system(), DEFAULT_CLOSE_TIMEOUT, ContextCapture.NONE);
	}

	/**
	 * Returns a copy with another clock.
	 * @param clock the clock
	 * @return the new settings
	 */
	public ScopeSettings withClock(ScopeClock clock) {
		return new ScopeSettings(clock, this.closeTimeout, this.contextCapture, this.observer);
	}

	/**
	 * Returns a copy with another close timeout.
	 * @param closeTimeout the close timeout
	 * @return the new settings
	 */
	public ScopeSettings withCloseTimeout(Duration closeTimeout) {
		return new ScopeSettings(this.clock, closeTimeout, this.contextCapture, this.observer);
	}

	/**
	 * Returns a copy with another context propagation.
	 * @param contextCapture the context propagation
	 * @return the new settings
	 */
	public ScopeSettings withContextCapture(ContextCapture contextCapture) {
		return new ScopeSettings(this.clock, this.closeTimeout, contextCapture, this.observer);
	}

	/**
	 * Returns a copy with another observer.
	 * @param observer the observer
	 * @return the new settings
	 */
	public ScopeSettings withObserver(ScopeObserver observer) {
		return new ScopeSettings(this.clock, this.closeTimeout, this.contextCapture, observer);
	}

}
