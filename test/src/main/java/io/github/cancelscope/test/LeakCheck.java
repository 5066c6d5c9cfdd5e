package io.github.cancelscope.test;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import org.jspecify.annotations.Nullable;

/**
 * Finds work that outlived a test: threads started during the test and still running, and, under a
 * root scope it is given, child scopes still open, forks still alive and statements or calls still
 * running. It takes note of what runs before the test ({@link #start()}), and after the test waits a
 * short grace for work that is ending before it reports what is left ({@link Watch#verify(String)}).
 * {@snippet :
 * LeakCheck.Watch watch = LeakCheck.defaults().withScope(() -> root).start();
 * runTheTest();
 * watch.verify("OrdersTests.cancelsTheQuery()"); // throws an AssertionError naming each leak
 * }
 * <p>
 * <b>Threads.</b> On Java 21 and later the threads come from the JDK's JSON thread dump, which
 * lists virtual threads too; on Java 17 from {@link Thread#getAllStackTraces()}. A thread counts as
 * leaked if it is alive after the grace and either was started during the test or waited idle in a
 * pool before it and runs work now. A pooled thread that waits for its next task does no work for
 * anyone and is not counted, nor are the JVM's own threads and those whose names match
 * {@linkplain #DEFAULT_ALLOWED_THREADS the defaults} or {@link #allowingThreads(Collection)}.
 * <p>
 * Instances are immutable and safe for use by several threads; a {@link Watch} belongs to one
 * test.
 */
public final class LeakCheck {

	/**
	 * Names of threads that the JVM, build tools, connection pools, servlet containers, JDBC
	 * drivers and cancelscope itself start once and keep ({@code *} stands for any text).
	 */
	public static final List<String> DEFAULT_ALLOWED_THREADS = ThreadNamePatterns.DEFAULTS;

	/** How long a check waits, by default, for work that is ending. */
	public static final Duration DEFAULT_GRACE = Duration.ofSeconds(1);

	private static final Duration POLL = Duration.ofMillis(25);

	private static final int MAX_FRAMES = 40;

	private final Duration grace;

	private final ThreadNamePatterns allowedThreads;

	private final List<Supplier<@Nullable CancellableScope>> scopes;

	private LeakCheck(Duration grace, ThreadNamePatterns allowedThreads, List<Supplier<@Nullable CancellableScope>> scopes) {
		this.grace = grace;
		this.allowedThreads = allowedThreads;
		this.scopes = scopes;
	}

	/**
	 * Returns a check with a grace of {@link #DEFAULT_GRACE} that allows the
	 * {@link #DEFAULT_ALLOWED_THREADS} and looks at no scope.
	 * @return the check
	 */
	public static LeakCheck defaults() {
		return new LeakCheck(DEFAULT_GRACE, new ThreadNamePatterns(DEFAULT_ALLOWED_THREADS), List.of());
	}

	/**
	 * Returns a copy that waits the given time for work that is ending.
	 * @param grace how long, not negative
	 * @return the new check
	 */
	public LeakCheck withGrace(Duration grace) {
		Objects.requireNonNull(grace, "grace");
		if (grace.isNegative()) {
			throw new IllegalArgumentException("The grace of a leak check must not be negative; got " + grace);
		}
		return new LeakCheck(grace, this.allowedThreads, this.scopes);
	}

	/**
	 * Returns a copy that also allows threads with the given names to outlive a test.
	 * @param patterns thread names, in which {@code *} stands for any text, for example
	 * {@code "report-writer-*"}
	 * @return the new check
	 */
	public LeakCheck allowingThreads(Collection<String> patterns) {
		return new LeakCheck(this.grace, this.allowedThreads.and(patterns), this.scopes);
	}

	/**
	 * Returns a copy that also reports what is left open or running under a root scope: child
	 * scopes, forks and regions that were not there before the test.
	 * @param root the root scope; it may answer {@code null} when there is none (the check then
	 * skips it)
	 * @return the new check
	 */
	public LeakCheck withScope(Supplier<@Nullable CancellableScope> root) {
		Objects.requireNonNull(root, "root");
		List<Supplier<@Nullable CancellableScope>> scopes = new ArrayList<>(this.scopes);
		scopes.add(root);
		return new LeakCheck(this.grace, this.allowedThreads, List.copyOf(scopes));
	}

	/**
	 * Returns the check for one test, as its {@link AllowLeaks} annotations say: on the method, its
	 * class, the class's superclasses and, for a nested test class, the classes around it.
	 * @param testClass the test's class
	 * @param testMethod the test method
	 * @return a copy that also allows the threads the annotations name, or empty if an annotation
	 * exempts the test from the check
	 */
	public Optional<LeakCheck> forTest(Class<?> testClass, Method testMethod) {
		List<AllowLeaks> annotations = new ArrayList<>();
		annotations.add(testMethod.getAnnotation(AllowLeaks.class));
		for (Class<?> type = testClass; type != null; type = type.getEnclosingClass()) {
			annotations.add(type.getAnnotation(AllowLeaks.class));
		}
		List<String> threads = new ArrayList<>();
		for (AllowLeaks annotation : annotations) {
			if (annotation != null && annotation.threads().length == 0) {
				return Optional.empty();
			}
			if (annotation != null) {
				threads.addAll(List.of(annotation.threads()));
			}
		}
		return Optional.of(threads.isEmpty() ? this : allowingThreads(threads));
	}

	/**
	 * Returns the grace.
	 * @return how long a check waits for work that is ending
	 */
	public Duration grace() {
		return this.grace;
	}

	/**
	 * Takes note of what runs now, before a test.
	 * @param probes further probes, created now, for leaks of other kinds
	 * @return the watch to verify after the test
	 */
	public Watch start(LeakProbe... probes) {
		return new Watch(this, List.of(probes));
	}

	/**
	 * What ran before one test, and the check to run after it.
	 */
	public static final class Watch {

		private final LeakCheck check;

		private final LiveThreads threads;

		private final Map<Long, Boolean> idleBefore = new HashMap<>();

		private final List<ScopeProbe> scopes;

		private final List<LeakProbe> probes;

		private Watch(LeakCheck check, List<LeakProbe> probes) {
			this.check = check;
			this.threads = LiveThreads.forThisJvm();
			this.scopes = check.scopes.stream().map(ScopeProbe::new).toList();
			this.probes = probes;
			for (LiveThread thread : this.threads.list()) {
				this.idleBefore.put(thread.id(), thread.idleInPool());
			}
		}

		/**
		 * Returns what is still leaked after waiting up to the grace for it to end. Returns as soon
		 * as nothing is.
		 * @return the leaks, empty if none
		 */
		public List<Leak> leaks() {
			long deadline = System.nanoTime() + this.check.grace.toNanos();
			while (true) {
				List<Leak> leaks = find();
				long left = deadline - System.nanoTime();
				if (leaks.isEmpty() || left <= 0) {
					return leaks;
				}
				try {
					Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), Duration.ofNanos(left).toMillis())));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return leaks;
				}
			}
		}

		/**
		 * Fails if anything is still leaked after the grace.
		 * @param test how the report names the test, for example {@code "OrdersTests.leaksAThread()"}
		 * @throws AssertionError naming each leak, with its stack and origin where known
		 */
		public void verify(String test) {
			List<Leak> leaks = leaks();
			if (!leaks.isEmpty()) {
				throw new AssertionError(LeakReport.of(test, leaks, this.check.grace, this.threads.seesVirtualThreads()));
			}
		}

		/**
		 * Notes which threads run forks of which scopes, while the scopes are still open, so that a
		 * report can trace a leaked thread to its scope after the scopes were closed.
		 */
		void observeScopes() {
			this.scopes.forEach(ScopeProbe::leaks);
		}

		private List<Leak> find() {
			List<Leak> leaks = new ArrayList<>();
			for (ScopeProbe scope : this.scopes) {
				leaks.addAll(scope.leaks());
			}
			for (LeakProbe probe : this.probes) {
				leaks.addAll(probe.leaks());
			}
			for (LiveThread thread : this.threads.list()) {
				Leak leak = threadLeak(thread);
				if (leak != null) {
					leaks.add(leak);
				}
			}
			return leaks;
		}

		private @Nullable Leak threadLeak(LiveThread thread) {
			Boolean wasIdle = this.idleBefore.get(thread.id());
			if (Boolean.FALSE.equals(wasIdle) || thread.jdkInternal() || thread.idleInPool()
					|| this.check.allowedThreads.matches(thread.name())) {
				return null;
			}
			String since = (wasIdle == null) ? "started during the test" : "idle in a pool before the test";
			List<String> stack = thread.stack();
			if (stack.size() > MAX_FRAMES) {
				stack = new ArrayList<>(stack.subList(0, MAX_FRAMES));
				stack.add("... " + (thread.stack().size() - MAX_FRAMES) + " more");
			}
			Leak leak = Leak.of("thread", "thread " + thread.describe() + ", " + since + ", is still running")
				.withStack(stack);
			String origin = null;
			for (ScopeProbe scope : this.scopes) {
				origin = (origin != null) ? origin : scope.forkOrigin(thread.name());
			}
			if (origin == null && thread.container() != null) {
				origin = "started in thread container " + thread.container();
			}
			return (origin != null) ? leak.withOrigin(origin) : leak;
		}

	}

}
