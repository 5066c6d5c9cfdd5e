package io.github.cancelscope.autoconfigure.escape;

import java.lang.StackWalker.StackFrame;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import io.github.cancelscope.CheckedCallable;
import org.jspecify.annotations.Nullable;

/**
 * Sees every thread created on a thread where a watched unit of work is bound, platform and
 * virtual alike: an {@link InheritableThreadLocal} holds the unit while it is bound, and the JDK
 * calls its {@link InheritableThreadLocal#childValue childValue} on the creating thread while it
 * constructs the new thread. Binding costs a thread-local set and remove; only a thread creation
 * costs more (a thread id probe and a walk of the creating stack).
 * <p>
 * The new thread itself inherits nothing: its own threads are not watched. Two kinds of thread
 * are not births: cancelscope's own fork threads (awaited by their scope), and the workers that a
 * pool ({@code ThreadPoolExecutor}, {@code ForkJoinPool}, Tomcat's and Jetty's) adds while a
 * request submits a task (they belong to the pool and outlive every request by design).
 */
final class ThreadBirths {

	/** Frames of the thread construction itself, above the code that asked for a thread. */
	private static final Set<String> CONSTRUCTION = Set.of("java.lang.Thread", "java.lang.ThreadLocal",
			"java.lang.ThreadLocal$ThreadLocalMap", "java.lang.InheritableThreadLocal", "java.lang.VirtualThread",
			"java.lang.BaseVirtualThread", "java.lang.ThreadBuilders", "java.lang.ThreadBuilders$VirtualThreadBuilder",
			"java.lang.ThreadBuilders$PlatformThreadBuilder", "java.lang.ThreadBuilders$BoundVirtualThread",
			Bound.class.getName(), ThreadBirths.class.getName());

	private static final String FORK_THREADS = "io.github.cancelscope.VirtualForkThreads";

	/** Where a pool adds a worker: the JDK's pools, Tomcat's executor and Jetty's thread pool. */
	private static final Set<String> POOL_GROWTH = Set.of("java.util.concurrent.ThreadPoolExecutor.addWorker",
			"java.util.concurrent.ForkJoinPool.createWorker", "org.apache.tomcat.util.threads.ThreadPoolExecutor.addWorker",
			"org.eclipse.jetty.util.thread.QueuedThreadPool.startThread");

	/** How far from the construction a pool's growth is looked for (past a thread factory or two). */
	private static final int POOL_GROWTH_DEPTH = 8;

	private static final int MAX_FRAMES = 32;

	private static final StackWalker WALKER = StackWalker.getInstance();

	private static final Bound BOUND = new Bound();

	private ThreadBirths() {
	}

	/**
	 * Runs {@code op} with {@code unit} as the unit whose thread creations are watched on this
	 * thread, and restores what was there before.
	 */
	static <R, X extends Throwable> R callWatched(WatchedUnit unit, CheckedCallable<? extends R, X> op) throws X {
		WatchedUnit previous = BOUND.get();
		BOUND.set(unit);
		try {
			return op.call();
		}
		finally {
			if (previous != null) {
				BOUND.set(previous);
			}
			else {
				BOUND.remove();
			}
		}
	}

	/**
	 * Returns the unit bound to this thread, or {@code null}.
	 */
	static @Nullable WatchedUnit current() {
		return BOUND.get();
	}

	/**
	 * Called on the creating thread while a thread is being constructed there.
	 */
	static void constructing(WatchedUnit unit) {
		// first, so that the fewest other thread ids are taken between the new thread's and the probe's
		long probe = ThreadIds.probe();
		Birth birth = WALKER.walk((frames) -> classify(frames.iterator()));
		if (birth.kind == Kind.THREAD) {
			unit.born(new ThreadBirth(unit, ThreadIds.likelyIdOfConstructed(probe), birth.virtual,
					Thread.currentThread().getName(), birth.frames));
		}
	}

	private static Birth classify(Iterator<StackFrame> frames) {
		boolean virtual = false;
		Kind kind = Kind.THREAD;
		List<String> stack = new ArrayList<>();
		boolean construction = true;
		while (frames.hasNext() && stack.size() < MAX_FRAMES) {
			StackFrame frame = frames.next();
			String type = frame.getClassName();
			if (type.equals(FORK_THREADS)) {
				return new Birth(Kind.FORK, false, List.of());
			}
			if (construction && CONSTRUCTION.contains(type)) {
				virtual |= type.equals("java.lang.VirtualThread");
				continue;
			}
			construction = false;
			if (stack.size() < POOL_GROWTH_DEPTH && POOL_GROWTH.contains(type + "." + frame.getMethodName())) {
				kind = Kind.POOL;
			}
			stack.add(frame.toStackTraceElement().toString());
		}
		return new Birth(kind, virtual, stack);
	}

	private enum Kind {

		THREAD, FORK, POOL

	}

	private record Birth(Kind kind, boolean virtual, List<String> frames) {
	}

	private static final class Bound extends InheritableThreadLocal<@Nullable WatchedUnit> {

		@Override
		protected @Nullable WatchedUnit childValue(@Nullable WatchedUnit unit) {
			if (unit != null) {
				try {
					constructing(unit);
				}
				catch (RuntimeException ex) {
					// never break the application's thread creation
					unit.failedToWatch(ex);
				}
			}
			return null;
		}

	}

}
