package io.github.cancelscope.spi;

import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.Registration;

/**
 * {@link ScopeClock} on {@link System#nanoTime()} with a single daemon timer thread, created on
 * first use ({@link DeadlineTimer}).
 * <p>
 * Due actions run on a small pool of platform threads, not on the timer thread (cancelling may call
 * {@code Statement.cancel()}, which blocks for milliseconds) and not on virtual threads: a few
 * CPU-bound virtual threads can occupy every carrier thread, and a deadline must not wait for them.
 */
final class SystemScopeClock implements ScopeClock {

	static final SystemScopeClock INSTANCE = new SystemScopeClock();

	private static final int EXPIRY_THREADS = 8;

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
		return Executors.TIMER.schedule(action, atNanoTime);
	}

	private static final class Executors {

		static final ThreadPoolExecutor EXPIRY = expiry();

		static final DeadlineTimer TIMER = new DeadlineTimer(EXPIRY, "cancelscope-deadlines");

		private static ThreadPoolExecutor expiry() {
			ThreadPoolExecutor executor = new ThreadPoolExecutor(EXPIRY_THREADS, EXPIRY_THREADS, 30, TimeUnit.SECONDS,
					new LinkedBlockingQueue<>(), expiryThreads());
			executor.allowCoreThreadTimeOut(true);
			return executor;
		}

		private static ThreadFactory expiryThreads() {
			AtomicInteger count = new AtomicInteger();
			return (task) -> {
				Thread thread = new Thread(task, "cancelscope-expiry-" + count.incrementAndGet());
				thread.setDaemon(true);
				return thread;
			};
		}

	}

}
