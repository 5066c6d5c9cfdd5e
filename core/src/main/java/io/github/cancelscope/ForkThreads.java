package io.github.cancelscope;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Where forked tasks run: a new virtual thread each where the JVM has them (Java 21 and later), a
 * bounded pool of platform threads that the root scope owns on Java 17 to 20. The system property
 * {@value #PROPERTY} forces one ({@code virtual} or {@code platform}).
 */
abstract class ForkThreads {

	/** System property that forces where forks run. */
	static final String PROPERTY = "cancelscope.forks";

	/**
	 * Returns where the forks of a new root scope run.
	 * @param maxPlatformThreads the bound of a platform-thread pool
	 */
	static ForkThreads create(int maxPlatformThreads) {
		return create(System.getProperty(PROPERTY), Runtime.version().feature(), maxPlatformThreads);
	}

	static ForkThreads create(@Nullable String forced, int javaVersion, int maxPlatformThreads) {
		if ("platform".equals(forced)) {
			return new Platform(maxPlatformThreads);
		}
		if (forced != null && !"virtual".equals(forced)) {
			throw new IllegalStateException(
					"-D" + PROPERTY + "=" + forced + " is not a kind of fork thread: use virtual (Java 21 and later) or platform");
		}
		if (javaVersion >= 21) {
			return Jdk.load("io.github.cancelscope.VirtualForkThreads", ForkThreads.class);
		}
		if (forced != null) {
			throw new IllegalStateException("-D" + PROPERTY + "=virtual needs Java 21 or later; this is Java "
					+ javaVersion + ". Leave the property unset to run forks on platform threads here.");
		}
		return new Platform(maxPlatformThreads);
	}

	/**
	 * Starts running {@code fork}.
	 * @throws RejectedExecutionException if no thread can take it now; the fork never runs
	 */
	abstract void start(Fork<?> fork);

	/**
	 * Called on a fork's thread when its task has ended, before anyone joining it learns so.
	 */
	void ended(Fork<?> fork) {
	}

	/**
	 * Returns whether a fork's thread ends with its task, so that closing a scope can wait for it.
	 * A pooled thread goes on to the next task.
	 */
	abstract boolean threadEndsWithTask();

	/**
	 * Stops the threads once the root scope has ended and its forks with it.
	 */
	abstract void shutdown();

	/**
	 * A bounded pool of daemon platform threads, started on demand and ended when idle. At most
	 * {@code maxThreads} forks run at once; a fork that finds them all running is refused rather than
	 * queued: a queued fork that its parent joins could wait for ever behind the forks that wait for
	 * it. A fork's place is freed when its task ends, before its join returns, so the next fork is
	 * never refused because a finished fork's thread is still on its way back to the pool (it then
	 * gets a thread of its own; the spare one ends when idle).
	 */
	static final class Platform extends ForkThreads {

		private final int maxThreads;

		private final Semaphore running;

		private final ThreadPoolExecutor pool;

		Platform(int maxThreads) {
			if (maxThreads < 1) {
				throw new IllegalArgumentException("maxPlatformForkThreads must be at least 1, was " + maxThreads);
			}
			this.maxThreads = maxThreads;
			this.running = new Semaphore(maxThreads);
			AtomicInteger count = new AtomicInteger();
			// no inheritable thread locals: a pooled thread would hand those of the request that happened to
			// start it to the forks of every later request
			this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
					(task) -> {
						Thread thread = new Thread(null, task, "cancelscope-fork-" + count.incrementAndGet(), 0, false);
						thread.setDaemon(true);
						return thread;
					});
		}

		@Override
		void start(Fork<?> fork) {
			if (!this.running.tryAcquire()) {
				int java = Runtime.version().feature();
				throw new RejectedExecutionException("All " + this.maxThreads + " fork threads of cancelscope are busy. "
						+ "Forks run on platform threads here (Java " + java + "): raise "
						+ "ScopeSettings.withMaxPlatformForkThreads (cancelscope.fork.max-platform-threads in Spring Boot)"
						+ ((java < 21) ? ", or run on Java 21 or later, where each fork gets a virtual thread."
								: ", or leave -D" + PROPERTY + " unset, so that each fork gets a virtual thread."));
			}
			try {
				this.pool.execute(fork);
			}
			catch (RuntimeException | Error ex) {
				this.running.release();
				throw ex;
			}
		}

		@Override
		void ended(Fork<?> fork) {
			this.running.release();
		}

		@Override
		boolean threadEndsWithTask() {
			return false;
		}

		@Override
		void shutdown() {
			this.pool.shutdown();
		}

		@Override
		public String toString() {
			return "platform threads (at most " + this.maxThreads + ")";
		}

	}

}
