package io.github.cancelscope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many request-like scopes, opened, forked, cancelled and closed concurrently on the system clock.
 * Bounded in time: the workers stop starting requests after {@link #BUDGET}.
 */
class ScopeStressTests {

	private static final int WORKERS = 16;

	private static final int REQUESTS_PER_WORKER = 600;

	private static final Duration BUDGET = Duration.ofSeconds(12);

	private static final int BLOCKS_UNTIL_CANCELLED = 3;

	private static final CancellationReason[] REASONS = CancellationReason.values();

	private final Queue<String> problems = new ConcurrentLinkedQueue<>();

	private final LongAdder requests = new LongAdder();

	private final LongAdder forks = new LongAdder();

	private final LongAdder cancelledRequests = new LongAdder();

	private final LongAdder refusedForks = new LongAdder();

	// whether a fork's thread ends with its task (a virtual thread) or goes back to a pool (platform threads)
	private boolean threadsEndWithTasks;

	private final ExecutorService cancellers = Executors.newCachedThreadPool(TestThreads.daemons("stress-canceller-"));

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSystemClock();

	@Test
	void concurrentScopesRunEveryCleanupOnceLeaveNoThreadAliveAndNoInterruptBehind() throws Exception {
		stress(this.root.scope());
	}

	@Test
	void forksRefusedByASmallPoolOfPlatformThreadsLeaveEveryScopeConsistent() throws Exception {
		// fewer platform fork threads than workers: many forks are refused, on every Java
		int bound = 8;
		ScopeSettings settings = ScopeSettings.defaults().withMaxPlatformForkThreads(bound);
		try (CancellableScope root = DefaultScope.root(settings, ForkThreads.create("platform", 17, bound))) {
			stress(root);
			assertThat(this.refusedForks.sum()).as("forks refused by the full pool").isPositive();
		}
	}

	private void stress(CancellableScope root) throws Exception {
		this.threadsEndWithTasks = ((DefaultScope) root).forkThreads().threadEndsWithTask();
		ExecutorService workers = Executors.newFixedThreadPool(WORKERS, TestThreads.daemons("stress-worker-"));
		long end = System.nanoTime() + BUDGET.toNanos();
		try (CapturedLog log = CapturedLog.ofScopes()) {
			for (int w = 0; w < WORKERS; w++) {
				workers.execute(() -> {
					for (int i = 0; i < REQUESTS_PER_WORKER && System.nanoTime() < end; i++) {
						try {
							request(root);
						}
						catch (Throwable ex) {
							this.problems.add("request failed unexpectedly: " + describe(ex));
						}
					}
				});
			}
			workers.shutdown();
			boolean finished = workers.awaitTermination(BUDGET.toSeconds() + 60, TimeUnit.SECONDS);
			assertThat(finished).as("workers still running long after their budget, deadlocked?%n%s", threadDump())
				.isTrue();
			assertThat(this.problems)
				.as("problems (%d requests, %d forks, %d refused by a full pool)", this.requests.sum(), this.forks.sum(),
						this.refusedForks.sum())
				.isEmpty();
			assertThat(log.warnings()).extracting((record) -> record.getMessage()).isEmpty();
			assertThat(this.requests.sum()).isGreaterThan(WORKERS);
			assertThat(this.cancelledRequests.sum()).as("some requests were cancelled").isPositive();
		}
		finally {
			workers.shutdownNow();
			this.cancellers.shutdown();
			assertThat(this.cancellers.awaitTermination(Await.SECONDS, TimeUnit.SECONDS)).isTrue();
		}
	}

	private void request(CancellableScope root) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		Tracking tracking = new Tracking();
		CancellableScope scope = root.openChild(randomTimeout(random));
		if (random.nextInt(3) == 0) {
			int spins = random.nextInt(20_000);
			CancellationReason reason = REASONS[random.nextInt(REASONS.length)];
			this.cancellers.execute(() -> {
				for (int s = 0; s < spins; s++) {
					Thread.onSpinWait();
				}
				scope.cancel(reason);
			});
		}
		try {
			scope.call(() -> {
				work(scope, tracking, 0);
				return null;
			});
		}
		catch (RuntimeException ex) {
			expect(ex, "the request body");
		}
		catch (Exception ex) {
			this.problems.add("checked failure from the request body: " + describe(ex));
		}
		try {
			scope.close();
		}
		catch (RuntimeException ex) {
			expect(ex, "close");
		}
		this.requests.increment();
		if (scope.isCancelled()) {
			this.cancelledRequests.increment();
		}
		if (Thread.interrupted()) {
			this.problems.add("worker thread left interrupted after close");
		}
		for (AtomicInteger cleanup : tracking.cleanups) {
			if (cleanup.get() != 1) {
				this.problems.add("a cleanup ran " + cleanup.get() + " times");
			}
		}
		if (tracking.running.get() != 0) {
			this.problems.add(tracking.running.get() + " forked task(s) still running after close");
		}
		for (Thread thread : tracking.threads) {
			// a pooled platform thread outlives its task by design
			if (this.threadsEndWithTasks && thread.isAlive()) {
				this.problems.add("fork thread still alive after close: " + thread);
			}
		}
	}

	/**
	 * What a handler does: forks, guarded regions, all/race, cleanups, nested scopes.
	 */
	private void work(RequestScope scope, Tracking tracking, int depth) throws Exception {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		List<Subtask<Object>> joinable = new ArrayList<>();
		int count = random.nextInt(5);
		for (int i = 0; i < count; i++) {
			int kind = random.nextInt(7);
			try {
				Subtask<Object> subtask = scope.fork(task(kind, tracking, depth));
				if (kind != BLOCKS_UNTIL_CANCELLED) {
					joinable.add(subtask);
				}
			}
			catch (ScopeCancelledException ex) {
				break;
			}
		}
		defer(scope, tracking, random.nextInt(5) == 0);
		switch (random.nextInt(6)) {
			case 0 -> {
				try {
					scope.interruptible("test", () -> {
						try {
							TimeUnit.NANOSECONDS.sleep(random.nextInt(2_000_000));
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
						return null;
					});
				}
				catch (ScopeCancelledException ex) {
					// cancelled before the region
				}
			}
			case 1 -> {
				try {
					scope.all(List.of(task(0, tracking, depth), task(2, tracking, depth), task(4, tracking, depth)));
				}
				catch (RuntimeException ex) {
					expect(ex, "all");
				}
			}
			case 2 -> {
				try {
					scope.race(List.of(task(1, tracking, depth), task(3, tracking, depth), task(0, tracking, depth)));
				}
				catch (RuntimeException ex) {
					expect(ex, "race");
				}
			}
			default -> {
			}
		}
		for (Subtask<Object> subtask : joinable) {
			if (random.nextBoolean()) {
				try {
					subtask.join();
				}
				catch (RuntimeException ex) {
					expect(ex, "join");
				}
			}
		}
	}

	private Callable<Object> task(int kind, Tracking tracking, int depth) {
		this.forks.increment();
		return () -> {
			tracking.threads.add(Thread.currentThread());
			ThreadLocalRandom random = ThreadLocalRandom.current();
			RequestScope scope = RequestScope.current();
			// a stop interrupts a fork only once its scope is cancelled; anything else is left over from the
			// thread's previous task (a pooled platform thread)
			if (Thread.currentThread().isInterrupted() && !scope.isCancelled()) {
				this.problems.add("a fork began interrupted in a scope that is not cancelled: " + Thread.currentThread());
			}
			tracking.running.incrementAndGet();
			try {
				return run(kind, scope, random, tracking, depth);
			}
			finally {
				tracking.running.decrementAndGet();
			}
		};
	}

	private Object run(int kind, RequestScope scope, ThreadLocalRandom random, Tracking tracking, int depth)
			throws Exception {
		switch (kind) {
			case 0 -> {
				return "value";
			}
			case 1 -> throw new Boom();
			case 2 -> TimeUnit.NANOSECONDS.sleep(random.nextInt(3_000_000));
			case BLOCKS_UNTIL_CANCELLED -> TimeUnit.SECONDS.sleep(30); // or until closed
			case 4 -> {
				defer(scope, tracking, random.nextInt(4) == 0);
				TimeUnit.NANOSECONDS.sleep(random.nextInt(1_000_000));
			}
			case 5 -> {
				try (CancellableScope child = scope.openChild(randomTimeout(random))) {
					defer(child, tracking, false);
					if (depth < 2) {
						child.call(() -> {
							work(child, tracking, depth + 1);
							return null;
						});
					}
				}
			}
			case 6 -> {
				CountDownLatch aborted = new CountDownLatch(1);
				long waitNanos = random.nextLong(2_000_000);
				scope.abortable("test", aborted::countDown, () -> {
					long until = System.nanoTime() + waitNanos;
					for (;;) {
						try {
							aborted.await(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
							return null;
						}
						catch (InterruptedException ex) {
							this.problems.add("a fork was interrupted inside an abortable region");
						}
					}
				});
			}
			default -> throw new IllegalArgumentException("kind " + kind);
		}
		return "done";
	}

	private void defer(RequestScope scope, Tracking tracking, boolean fails) {
		AtomicInteger runs = new AtomicInteger();
		tracking.cleanups.add(runs);
		try {
			scope.defer(() -> {
				runs.incrementAndGet();
				if (fails) {
					throw new Boom();
				}
			});
		}
		catch (Boom ex) {
			// the scope had ended, so the cleanup ran at once and failed as told
		}
	}

	private void expect(RuntimeException ex, String where) {
		boolean expected = ex instanceof Boom || ex instanceof ScopeCancelledException
				|| (ex instanceof CompletionException && ex.getCause() instanceof InterruptedException);
		if (ex instanceof RejectedExecutionException && !this.threadsEndWithTasks) {
			// every platform fork thread busy: refused, as documented
			this.refusedForks.increment();
			expected = true;
		}
		if (!expected) {
			this.problems.add("unexpected failure from " + where + ": " + describe(ex));
		}
	}

	private static String describe(Throwable ex) {
		return ex + " at " + List.of(ex.getStackTrace()).stream().limit(8).map(String::valueOf)
			.collect(Collectors.joining(" <- "));
	}

	private static Duration randomTimeout(ThreadLocalRandom random) {
		return (random.nextInt(4) == 0) ? null : Duration.ofNanos(random.nextLong(3_000_000));
	}

	private static String threadDump() {
		StringBuilder dump = new StringBuilder();
		for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
			dump.append(entry.getKey()).append('\n');
			for (StackTraceElement element : entry.getValue()) {
				dump.append("\tat ").append(element).append('\n');
			}
		}
		return dump.toString();
	}

	private static final class Tracking {

		final Queue<AtomicInteger> cleanups = new ConcurrentLinkedQueue<>();

		final Queue<Thread> threads = new ConcurrentLinkedQueue<>();

		final AtomicInteger running = new AtomicInteger();

	}

	private static final class Boom extends RuntimeException {

		Boom() {
			super("boom", null, false, false);
		}

	}

}
