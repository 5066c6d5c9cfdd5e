package io.github.cancelscope;

import org.jspecify.annotations.Nullable;

/**
 * Binds the current scope to a thread for the length of a call, with the forked task that thread
 * runs and its innermost abortable region: one {@link Frame} per binding. How the frame is held is
 * chosen once, at start-up ({@link ThreadBinding}): a {@code ScopedValue} on Java 25 and later, a
 * {@code ThreadLocal} on Java 17 to 24. The system property {@value #PROPERTY} forces one
 * ({@code scoped-value} or {@code thread-local}).
 */
final class ScopeBinding {

	/** System property that forces a binding. */
	static final String PROPERTY = "cancelscope.binding";

	private static final ThreadBinding BINDING = select(System.getProperty(PROPERTY), Runtime.version().feature());

	// the table: 64 runs of 16 entries, a run being a cache line or more (16 compressed references)
	private static final int RUNS = 64;

	private static final int RUN_LENGTH = 16;

	// written racily: a Frame's thread is final, so a reader sees it whole, and a thread reads its
	// own last write or another thread's
	private static final @Nullable Frame[] BY_THREAD = new Frame[RUNS * RUN_LENGTH];

	private ScopeBinding() {
	}

	static ThreadBinding select(@Nullable String forced, int javaVersion) {
		if ("thread-local".equals(forced)) {
			return new ThreadLocalBinding();
		}
		if (forced != null && !"scoped-value".equals(forced)) {
			throw new IllegalStateException("-D" + PROPERTY + "=" + forced
					+ " is not a binding: use scoped-value (Java 25 and later) or thread-local");
		}
		if (javaVersion >= 25) {
			return Jdk.load("io.github.cancelscope.ScopedValueBinding", ThreadBinding.class);
		}
		if (forced != null) {
			throw new IllegalStateException("-D" + PROPERTY + "=scoped-value needs Java 25 or later; this is Java "
					+ javaVersion + ". Leave the property unset to use the thread-local binding here.");
		}
		return new ThreadLocalBinding();
	}

	/**
	 * Returns how frames are bound in this JVM.
	 */
	static ThreadBinding binding() {
		return BINDING;
	}

	/**
	 * What is bound to a thread: the current scope, the fork the thread runs (if it is a fork's
	 * thread), and the innermost abortable region running on it. A frame belongs to the thread that
	 * bound it, so a region is entered by setting a field rather than by binding a new frame; a
	 * frame seen from another thread (a {@code ScopedValue} inherited by a structured task) has no
	 * region there.
	 */
	static final class Frame {

		private final DefaultScope scope;

		private final @Nullable Fork<?> fork;

		private final Thread thread = Thread.currentThread();

		// confined to thread
		private @Nullable AbortableRegion region;

		Frame(DefaultScope scope, @Nullable Fork<?> fork, @Nullable AbortableRegion region) {
			this.scope = scope;
			this.fork = fork;
			this.region = region;
		}

		DefaultScope scope() {
			return this.scope;
		}

		@Nullable Fork<?> fork() {
			return this.fork;
		}

		@Nullable AbortableRegion region() {
			return (this.thread == Thread.currentThread()) ? this.region : null;
		}

	}

	static @Nullable Frame frame() {
		Thread thread = Thread.currentThread();
		Frame frame = BY_THREAD[indexOf(thread)];
		if (frame != null && frame.thread == thread) {
			return frame;
		}
		return BINDING.frame();
	}

	@SuppressWarnings("deprecation") // threadId() is Java 19's name for it
	private static int indexOf(Thread thread) {
		// threads of consecutive ids, a pool's, get entries in different runs: each writes its entry
		// twice per binding, which would otherwise make the reads of its neighbours on other cores miss
		long id = thread.getId();
		return (int) ((id & (RUNS - 1)) * RUN_LENGTH + ((id / RUNS) & (RUN_LENGTH - 1)));
	}

	static RequestScope current() {
		Frame frame = frame();
		if (frame == null) {
			throw new IllegalStateException("No RequestScope on thread '" + Thread.currentThread().getName()
					+ "'. RequestScope.current() works inside an HTTP request handled by the cancelscope starter, "
					+ "inside a method annotated with @Scoped, and inside a task forked from a scope. "
					+ "Elsewhere, open a scope with CancellableScope.openChild(...) and run the work with call(...), "
					+ "or use RequestScope.find() where running outside a scope is expected.");
		}
		return frame.scope();
	}

	static @Nullable RequestScope currentOrNull() {
		Frame frame = frame();
		return (frame != null) ? frame.scope() : null;
	}

	/**
	 * Runs {@code op} with {@code scope} current, keeping the thread's fork and region.
	 */
	static <R, X extends Throwable> R callIn(DefaultScope scope, CheckedCallable<? extends R, X> op) throws X {
		Frame outer = frame();
		Frame frame = (outer == null) ? new Frame(scope, null, null) : new Frame(scope, outer.fork(), outer.region());
		return call(frame, outer, op);
	}

	/**
	 * Runs {@code op} with {@code region} as the innermost region, keeping the current scope and fork.
	 * @param frame the calling thread's frame, or {@code null}
	 */
	static <R, X extends Throwable> R callInRegion(@Nullable Frame frame, DefaultScope scope, AbortableRegion region,
			CheckedCallable<? extends R, X> op) throws X {
		if (frame == null || frame.thread != Thread.currentThread()) {
			return call(new Frame((frame != null) ? frame.scope : scope, (frame != null) ? frame.fork : null, region),
					frame, op);
		}
		AbortableRegion outer = frame.region;
		frame.region = region;
		try {
			return op.call();
		}
		finally {
			frame.region = outer;
		}
	}

	/**
	 * Runs {@code op} on a fork's own thread, with the fork's scope current.
	 */
	static <R, X extends Throwable> R callInFork(DefaultScope scope, Fork<?> fork, CheckedCallable<? extends R, X> op)
			throws X {
		return call(new Frame(scope, fork, null), frame(), op);
	}

	/**
	 * Binds {@code frame}, made on the calling thread, for the length of {@code op}.
	 * @param outer the frame the calling thread is in, or {@code null}
	 */
	private static <R, X extends Throwable> R call(Frame frame, @Nullable Frame outer,
			CheckedCallable<? extends R, X> op) throws X {
		int index = indexOf(frame.thread);
		BY_THREAD[index] = frame;
		try {
			return BINDING.call(frame, op);
		}
		finally {
			// written even over another thread's entry, so that this thread's last write is its current frame
			BY_THREAD[index] = (outer != null && outer.thread == frame.thread) ? outer : null;
		}
	}

}
