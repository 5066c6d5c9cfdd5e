package io.github.cancelscope.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings shared by a root scope and all its descendants. Immutable: each {@code with…} method
 * returns a copy.
 * {@snippet :
 * CancellableScope root = CancellableScope.root(ScopeSettings.defaults()
 *     .withCloseTimeout(Duration.ofSeconds(5))
 *     .withObserver(observer));
 * }
 */
public final class ScopeSettings {

	/** Default {@link #closeTimeout()}. */
	public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

	/** Default {@link #maxPlatformForkThreads()}. */
	public static final int DEFAULT_MAX_PLATFORM_FORK_THREADS = 256;

	private static final ScopeSettings DEFAULTS = new ScopeSettings(ScopeClock.system(), DEFAULT_CLOSE_TIMEOUT,
			ContextCapture.NONE, ScopeObserver.NONE, DEFAULT_MAX_PLATFORM_FORK_THREADS);

	private final ScopeClock clock;

	private final Duration closeTimeout;

	private final ContextCapture contextCapture;

	private final ScopeObserver observer;

	private final int maxPlatformForkThreads;

	private ScopeSettings(ScopeClock clock, Duration closeTimeout, ContextCapture contextCapture,
			ScopeObserver observer, int maxPlatformForkThreads) {
		this.clock = clock;
		this.closeTimeout = closeTimeout;
		this.contextCapture = contextCapture;
		this.observer = observer;
		this.maxPlatformForkThreads = maxPlatformForkThreads;
	}

	/**
	 * Returns the defaults: the system clock, a close timeout of 10 seconds, no context propagation,
	 * no observer.
	 * @return the default settings
	 */
	public static ScopeSettings defaults() {
		return DEFAULTS;
	}

	/**
	 * Returns a copy with another clock.
	 * @param clock the time source and deadline timer
	 * @return the new settings
	 */
	public ScopeSettings withClock(ScopeClock clock) {
		return new ScopeSettings(Objects.requireNonNull(clock, "clock"), this.closeTimeout, this.contextCapture,
				this.observer, this.maxPlatformForkThreads);
	}

	/**
	 * Returns a copy with another close timeout.
	 * @param closeTimeout how long closing a scope waits for its forked tasks before it reports the
	 * stragglers and goes on; not negative
	 * @return the new settings
	 * @throws IllegalArgumentException if {@code closeTimeout} is negative
	 */
	public ScopeSettings withCloseTimeout(Duration closeTimeout) {
		Objects.requireNonNull(closeTimeout, "closeTimeout");
		if (closeTimeout.isNegative()) {
			throw new IllegalArgumentException("closeTimeout must not be negative, was " + closeTimeout);
		}
		return new ScopeSettings(this.clock, closeTimeout, this.contextCapture, this.observer,
				this.maxPlatformForkThreads);
	}

	/**
	 * Returns a copy with another context propagation.
	 * @param contextCapture carries the forking thread's context to forked tasks
	 * @return the new settings
	 */
	public ScopeSettings withContextCapture(ContextCapture contextCapture) {
		return new ScopeSettings(this.clock, this.closeTimeout,
				Objects.requireNonNull(contextCapture, "contextCapture"), this.observer, this.maxPlatformForkThreads);
	}

	/**
	 * Returns a copy with another observer.
	 * @param observer watches the scopes open, get cancelled and end
	 * @return the new settings
	 */
	public ScopeSettings withObserver(ScopeObserver observer) {
		return new ScopeSettings(this.clock, this.closeTimeout, this.contextCapture,
				Objects.requireNonNull(observer, "observer"), this.maxPlatformForkThreads);
	}

	/**
	 * Returns a copy with another bound on the platform threads that run forks where the JVM has no
	 * virtual threads (Java 17 to 20). A fork that finds them all busy is refused with a
	 * {@link java.util.concurrent.RejectedExecutionException}. On Java 21 and later every fork gets
	 * a virtual thread, and this bound does not apply.
	 * @param maxPlatformForkThreads the most platform threads a root scope runs forks on, at least 1
	 * @return the new settings
	 * @throws IllegalArgumentException if {@code maxPlatformForkThreads} is less than 1
	 */
	public ScopeSettings withMaxPlatformForkThreads(int maxPlatformForkThreads) {
		if (maxPlatformForkThreads < 1) {
			throw new IllegalArgumentException("maxPlatformForkThreads must be at least 1, was " + maxPlatformForkThreads);
		}
		return new ScopeSettings(this.clock, this.closeTimeout, this.contextCapture, this.observer,
				maxPlatformForkThreads);
	}

	/**
	 * Returns the time source and deadline timer.
	 * @return the clock
	 */
	public ScopeClock clock() {
		return this.clock;
	}

	/**
	 * Returns how long closing a scope waits for its forked tasks.
	 * @return the close timeout
	 */
	public Duration closeTimeout() {
		return this.closeTimeout;
	}

	/**
	 * Returns what carries the forking thread's context to forked tasks.
	 * @return the context propagation
	 */
	public ContextCapture contextCapture() {
		return this.contextCapture;
	}

	/**
	 * Returns the observer of the scopes.
	 * @return the observer
	 */
	public ScopeObserver observer() {
		return this.observer;
	}

	/**
	 * Returns the most platform threads a root scope runs forks on, where the JVM has no virtual
	 * threads.
	 * @return the bound
	 */
	public int maxPlatformForkThreads() {
		return this.maxPlatformForkThreads;
	}

	@Override
	public String toString() {
		return "ScopeSettings[clock=" + this.clock + ", closeTimeout=" + this.closeTimeout + ", contextCapture="
				+ this.contextCapture + ", observer=" + this.observer + ", maxPlatformForkThreads="
				+ this.maxPlatformForkThreads + "]";
	}

}
