package io.github.cancelscope;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded waits for tests: each one fails with a message instead of hanging.
 */
final class Await {

	/** How long any test waits for something that should happen at once. */
	static final long SECONDS = 10;

	private Await() {
	}

	/**
	 * Waits for {@code latch}, failing the test if it does not open in time.
	 */
	static void await(CountDownLatch latch, String what) {
		try {
			assertThat(latch.await(SECONDS, TimeUnit.SECONDS)).as("timed out waiting until " + what).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted while waiting until " + what, ex);
		}
	}

	/**
	 * Waits for {@code latch} and ignores interrupts, which it sets again before returning.
	 */
	static void awaitUninterruptibly(CountDownLatch latch, String what) {
		boolean interrupted = false;
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
		try {
			for (;;) {
				try {
					long left = end - System.nanoTime();
					assertThat(left > 0 && latch.await(left, TimeUnit.NANOSECONDS))
						.as("timed out waiting until " + what)
						.isTrue();
					return;
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Blocks until the calling thread is interrupted.
	 * @throws InterruptedException always, when interrupted
	 * @throws IllegalStateException if no interrupt came in time
	 */
	static void blockUntilInterrupted() throws InterruptedException {
		if (!new CountDownLatch(1).await(SECONDS, TimeUnit.SECONDS)) {
			throw new IllegalStateException("not interrupted within " + SECONDS + " s");
		}
	}

	/**
	 * Parks until the calling thread is interrupted, and leaves its interrupt status set.
	 * @return whether the thread was interrupted in time
	 */
	static boolean parkUntilInterrupted() {
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
		while (!Thread.currentThread().isInterrupted()) {
			long left = end - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			LockSupport.parkNanos(left);
		}
		return true;
	}

	/**
	 * Waits for {@code thread} to terminate, failing the test if it does not in time.
	 */
	static void join(Thread thread, String what) {
		try {
			thread.join(TimeUnit.SECONDS.toMillis(SECONDS));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted while waiting until " + what, ex);
		}
		assertThat(thread.isAlive()).as("timed out waiting until " + what).isFalse();
	}

}
