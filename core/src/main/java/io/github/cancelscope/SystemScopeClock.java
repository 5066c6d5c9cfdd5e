package io.github.cancelscope;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link ScopeClock} on {@link System#nanoTime()} with a single daemon timer thread, created on
 * first use, that starts each due action on a virtual thread. Cancelled timers leave the queue at once.
 */
final class SystemScopeClock implements ScopeClock {

	static final SystemScopeClock INSTANCE = new SystemScopeClock();

	private SystemScopeClock() {
	}

	@Override
	public long nanoTime() {
		return System.nanoTime();
	}

	@Override
	public Instant instant() {
		return Instant.now();
	}

	@Override
	public Registration schedule(Runnable action, long atNanoTime) {
		// the timer thread only starts the action: cancelling may call Statement.cancel(), which blocks
		ScheduledFuture<?> future = Timer.EXECUTOR.schedule(() -> Thread.startVirtualThread(action),
				atNanoTime - System.nanoTime(), TimeUnit.NANOSECONDS);
		return () -> future.cancel(false);
	}

	private static final class Timer {

		static final ScheduledThreadPoolExecutor EXECUTOR = create();

		private static ScheduledThreadPoolExecutor create() {
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
					Thread.ofPlatform().name("cancelscope-deadlines").daemon().factory());
			executor.setRemoveOnCancelPolicy(true);
			executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
			return executor;
		}

	}

}
