package io.github.cancelscope;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Fork threads that hold each fork until the test releases it: what a fork looks like between
 * {@code fork()} and the moment its thread takes it, made as long as a test needs.
 */
final class HeldForkThreads extends ForkThreads {

	private final BlockingQueue<Fork<?>> held = new LinkedBlockingQueue<>();

	@Override
	void start(Fork<?> fork) {
		this.held.add(fork);
	}

	@Override
	boolean threadEndsWithTask() {
		return true;
	}

	@Override
	void shutdown() {
	}

	/**
	 * Waits until {@code count} forks are held.
	 */
	void awaitHeld(int count) {
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.SECONDS);
		while (this.held.size() < count) {
			if (System.nanoTime() > end) {
				throw new AssertionError("timed out waiting until " + count + " forks were held, " + this.held.size() + " are");
			}
			Thread.onSpinWait();
		}
	}

	/**
	 * Starts every held fork, each on a new platform thread.
	 * @return the threads
	 */
	List<Thread> release() {
		return release(Integer.MAX_VALUE);
	}

	/**
	 * Starts the first {@code count} held forks, in the order they were forked, each on a new
	 * platform thread.
	 * @return the threads
	 */
	List<Thread> release(int count) {
		List<Fork<?>> forks = new ArrayList<>();
		this.held.drainTo(forks, count);
		List<Thread> threads = new ArrayList<>();
		for (Fork<?> fork : forks) {
			threads.add(TestThreads.start(fork));
		}
		return threads;
	}

	@Override
	public String toString() {
		return "held";
	}

}
