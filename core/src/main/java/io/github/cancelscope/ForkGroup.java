package io.github.cancelscope;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The forked tasks of one scope and their threads, and the wait for them when the scope closes, as
 * the JDK's {@code ThreadFlock} is for a {@code StructuredTaskScope}. Guarded by the scope's lock,
 * except {@link #awaitAll}, which takes it.
 */
final class ForkGroup {

	private static final System.Logger logger = System.getLogger(CancellableScope.class.getName());

	private final ReentrantLock lock;

	// whether a fork's thread ends with its task: then closing waits for it to terminate
	private final boolean threadsEndWithTasks;

	private final Condition allEnded;

	private final Set<Fork<?>> running = new HashSet<>();

	// threads of forks that have ended but may not have terminated yet; awaitAll joins them
	private final ArrayDeque<Thread> endedThreads = new ArrayDeque<>(4);

	private List<Fork<?>> stragglers = List.of();

	ForkGroup(ReentrantLock lock, boolean threadsEndWithTasks) {
		this.lock = lock;
		this.threadsEndWithTasks = threadsEndWithTasks;
		this.allEnded = lock.newCondition();
	}

	void add(Fork<?> fork) {
		this.running.add(fork);
	}

	/**
	 * Called on the fork's thread, holding the lock, as the last thing the fork does.
	 */
	void ended(Fork<?> fork) {
		if (this.running.remove(fork)) {
			Thread thread = fork.thread();
			if (this.threadsEndWithTasks && thread != null) {
				while (!this.endedThreads.isEmpty() && !this.endedThreads.peekFirst().isAlive()) {
					this.endedThreads.pollFirst();
				}
				this.endedThreads.addLast(thread);
			}
			if (this.running.isEmpty()) {
				this.allEnded.signalAll();
			}
		}
	}

	List<Fork<?>> running() {
		return List.copyOf(this.running);
	}

	/**
	 * Returns whether a task is still running. One whose task has finished may still be on its way
	 * out: that is no reason to cancel the scope.
	 */
	boolean hasUnfinished() {
		for (Fork<?> fork : this.running) {
			if (fork.state() == Subtask.State.RUNNING) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns the forks that were still running when {@link #awaitAll} gave up.
	 */
	List<Fork<?>> stragglers() {
		return this.stragglers;
	}

	/**
	 * Waits for every fork to end and its thread to terminate, at most {@code timeout}, ignoring
	 * interrupts, and logs the forks still running then with their stacks. Called without the lock,
	 * with the interrupt status cleared.
	 * @return whether the thread was interrupted while waiting
	 */
	boolean awaitAll(Duration timeout, String scopeId) {
		boolean interrupted = false;
		long start = System.nanoTime();
		long timeoutNanos = Deadline.saturatedNanos(timeout);
		List<Thread> ended;
		this.lock.lock();
		try {
			while (!this.running.isEmpty()) {
				long left = timeoutNanos - (System.nanoTime() - start);
				if (left <= 0) {
					this.stragglers = List.copyOf(this.running);
					break;
				}
				try {
					this.allEnded.awaitNanos(left);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
			ended = List.copyOf(this.endedThreads);
			this.endedThreads.clear();
		}
		finally {
			this.lock.unlock();
		}
		// an ended fork has done all its work, but its thread may still be on its way out
		for (Thread thread : ended) {
			interrupted |= awaitTermination(thread, timeoutNanos - (System.nanoTime() - start));
		}
		for (Fork<?> straggler : this.stragglers) {
			report(straggler, timeout, scopeId);
		}
		// a wait that was signalled and interrupted at once returns normally with the status set
		return Thread.interrupted() || interrupted;
	}

	private static void report(Fork<?> straggler, Duration timeout, String scopeId) {
		Thread thread = straggler.thread();
		Throwable where = new Throwable("Stack of " + thread);
		where.setStackTrace((thread != null) ? thread.getStackTrace() : new StackTraceElement[0]);
		logger.log(System.Logger.Level.WARNING, "A task forked in scope " + scopeId + " was still running "
				+ timeout.toMillis() + " ms after the scope began to close. It keeps running, outside any scope: "
				+ "make it respond to interrupts or run its blocking calls in abortable regions.", where);
	}

	/**
	 * Waits for a thread to terminate, at most {@code nanos}, ignoring interrupts.
	 * @return whether the calling thread was interrupted while waiting
	 */
	private static boolean awaitTermination(Thread thread, long nanos) {
		boolean interrupted = false;
		long start = System.nanoTime();
		for (;;) {
			long left = nanos - (System.nanoTime() - start);
			if (!thread.isAlive() || left <= 0) {
				return interrupted;
			}
			try {
				TimeUnit.NANOSECONDS.timedJoin(thread, left);
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
	}

}
