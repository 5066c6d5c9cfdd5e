package io.github.cancelscope.spi;

import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
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
 * The pool is bounded: at most {@value #EXPIRY_THREADS} threads and {@value #EXPIRY_QUEUE} due
 * actions waiting. When both are full, the action runs on the timer thread itself, and the
 * saturation is logged and counted ({@link ExecutorSaturation}): cancelling a scope is quick (its
 * blocking aborts are handed to executors of their own), so a deadline is never dropped.
 */
final class SystemScopeClock implements ScopeClock {

	static final SystemScopeClock INSTANCE = new SystemScopeClock();

	static final int EXPIRY_THREADS = 8;

	static final int EXPIRY_QUEUE = 16_384;

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

		static final ThreadPoolExecutor EXPIRY = expiry(EXPIRY_THREADS, EXPIRY_QUEUE);

		static final DeadlineTimer TIMER = new DeadlineTimer(EXPIRY, "cancelscope-deadlines");

	}

	/**
	 * Creates the pool that runs due actions: when it is full, an action runs on the thread that hands
	 * it over (the timer thread), and the saturation is reported.
	 */
	static ThreadPoolExecutor expiry(int threads, int queue) {
		ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(queue), expiryThreads(), (action, pool) -> {
					ExecutorSaturation.report(ExecutorSaturation.DEADLINES, threads + " threads, " + queue + " queued",
							"on the timer thread");
					action.run();
				});
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
