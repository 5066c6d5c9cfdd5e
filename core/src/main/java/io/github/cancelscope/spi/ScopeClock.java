package io.github.cancelscope.spi;

import java.time.Instant;

import io.github.cancelscope.Registration;

/**
 * The time source of scopes and the one timer service that expires their deadlines. Injectable so
 * that deadline tests advance time instead of sleeping ({@code io.github.cancelscope.test.ManualScopeClock}).
 */
public interface ScopeClock {

	/**
	 * Returns a monotonic time in nanoseconds, as {@link System#nanoTime()}.
	 * @return the current tick
	 */
	long nanoTime();

	/**
	 * Returns the wall-clock time, used only to report deadlines.
	 * @return the current instant
	 */
	Instant instant();

	/**
	 * Runs {@code action} once {@link #nanoTime()} reaches {@code atNanoTime}, unless the returned
	 * registration is closed first. The action must not block the timer: implementations may run
	 * it on the timer's own thread.
	 * @param action what to run
	 * @param atNanoTime when, in the same time base as {@link #nanoTime()}
	 * @return a registration that cancels the timer and releases the action
	 */
	Registration schedule(Runnable action, long atNanoTime);

	/**
	 * Returns the system clock: {@link System#nanoTime()} and one shared daemon timer thread for
	 * every deadline in the JVM.
	 * @return the system clock
	 */
	static ScopeClock system() {
		return SystemScopeClock.INSTANCE;
	}

}
