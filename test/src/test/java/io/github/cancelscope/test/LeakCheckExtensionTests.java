package io.github.cancelscope.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.Subtask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link LeakCheckExtension}: each runs a small test class of its own through the JUnit
 * Platform launcher and looks at what that run reported.
 */
class LeakCheckExtensionTests {

	static volatile CountDownLatch release = new CountDownLatch(1);

	static final List<Thread> started = new ArrayList<>();

	static final AtomicReference<CancellableScope> scope = new AtomicReference<>();

	@BeforeEach
	void newLatch() {
		release = new CountDownLatch(1);
		started.clear();
	}

	@AfterEach
	void endWhatTheFixturesLeaked() throws InterruptedException {
		release.countDown();
		for (Thread thread : started) {
			Fixtures.end(thread);
		}
	}

	@Test
	void failsATestThatLeavesAPlatformThreadRunningAndShowsWhereItWaits() {
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAPlatformThread.class));
		assertThat(report).startsWith("1 leak(s) after LeaksAPlatformThread.test(): work outlived the test")
			.contains("1. thread \"report-writer\" #" + started.get(0).getId() + " (platform, TIMED_WAITING), started during "
					+ "the test, is still running")
			.contains("at " + Fixtures.class.getName() + ".awaitRelease(")
			.contains("@AllowLeaks(threads = ");
	}

	@Test
	void failsATestThatLeavesAVirtualThreadRunning() {
		assumeTrue(Runtime.version().feature() >= 21, "virtual threads exist from Java 21");
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAVirtualThread.class));
		assertThat(report).contains("thread \"virtual-report-writer\" #" + started.get(0).getId() + " (virtual, ")
			.contains("at " + Fixtures.class.getName() + ".awaitRelease(");
	}

	@Test
	void failsATestThatLeavesATaskRunningInAnExecutorAndNamesTheExecutor() {
		assumeTrue(Runtime.version().feature() >= 21, "thread containers are listed from Java 21");
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAnExecutorTask.class));
		assertThat(report).contains("thread \"leaky-pool-1\"")
			.contains("origin: started in thread container java.util.concurrent.ThreadPoolExecutor@");
	}

	@Test
	void failsATestThatLeavesWorkRunningInTheCommonPool() {
		String report = Fixtures.failureMessage(Fixtures.run(LeaksARunAsync.class));
		// a common pool worker, or, where the pool has parallelism 1 (2 CPUs), a thread of its own
		assertThat(report).contains("1 leak(s) after LeaksARunAsync.test()")
			.contains("at " + LeaksARunAsync.class.getName() + ".lambda$test$")
			.contains("at java.base/java.util.concurrent.CompletableFuture$AsyncRun.run(");
	}

	@Test
	void passesATestWhoseThreadEndsWithinTheGrace() {
		TestExecutionSummary summary = Fixtures.run(LeavesAThreadThatEndsSoon.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
	}

	@Test
	void passesATestThatLeavesOnlyIdlePoolThreads() {
		TestExecutionSummary summary = Fixtures.run(LeavesAnIdlePool.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
	}

	@Test
	void passesAStormOfShortThreadsThatAllEnd() {
		TestExecutionSummary summary = Fixtures.run(StartsAStormOfShortThreads.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
	}

	@Test
	void allowLeaksNamingTheThreadLetsItRunButStillReportsOthers() {
		TestExecutionSummary summary = Fixtures.run(AllowsOneThread.class);
		assertThat(summary.getTestsSucceededCount()).as("allowed").isOne();
		assertThat(Fixtures.failureMessage(summary)).contains("thread \"not-allowed\"").doesNotContain("\"allowed-1\"");
	}

	@Test
	void allowLeaksWithoutThreadsOnTheClassExemptsEveryTest() {
		TestExecutionSummary summary = Fixtures.run(ExemptClass.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
	}

	@Test
	void configurationParametersAllowThreadsAndSwitchTheCheckOff() {
		assertThat(Fixtures.run(LeaksAPlatformThread.class,
				Map.of(LeakCheckExtension.ALLOWED_THREADS, "other, report-*")).getFailures()).isEmpty();
		assertThat(Fixtures.run(LeaksAPlatformThread.class, Map.of(LeakCheckExtension.ENABLED, "false"))
			.getFailures()).isEmpty();
		assertThat(Fixtures.failureMessage(Fixtures.run(LeaksAPlatformThread.class,
				Map.of(LeakCheckExtension.GRACE, "50ms")))).contains("(waited 50 ms for it to end)");
	}

	@Test
	void aMalformedGraceFailsTheTestWithAMessageThatSaysWhatToWrite() {
		TestExecutionSummary summary = Fixtures.run(LeaksNothing.class, Map.of(LeakCheckExtension.GRACE, "soon"));
		assertThat(summary.getFailures()).singleElement()
			.extracting(TestExecutionSummary.Failure::getException)
			.asString()
			.contains("cancelscope.test.leak-check.grace=soon")
			.contains("500ms, 2s or PT2S");
	}

	@Test
	void doesNotAddLeaksToTheFailureOfATestThatFailed() {
		TestExecutionSummary summary = Fixtures.run(FailsAndLeaks.class);
		assertThat(summary.getFailures()).singleElement()
			.extracting(TestExecutionSummary.Failure::getException)
			.satisfies((failure) -> assertThat(failure).hasMessage("the test's own failure").hasNoSuppressedExceptions());
	}

	@Test
	void reportsScopesAndForksLeftUnderTheRootOfARootScopeExtension() {
		String report = Fixtures.failureMessage(Fixtures.run(LeavesAScopeWithAForkOpen.class));
		assertThat(report).contains("scope method Orders.find (id " + scope.get().id() + ") is still open, open for ")
			.contains(", 1 fork(s) running")
			.contains("origin: fork of scope method Orders.find (id " + scope.get().id() + ")");
	}

	@Test
	void tracesAForkThatOutlivedItsClosedRootToItsScope() {
		String report = Fixtures.failureMessage(Fixtures.run(LeavesAStragglerFork.class));
		assertThat(report).contains("origin: fork of scope application")
			.contains("at " + Fixtures.class.getName() + ".awaitRelease(");
	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeaksAPlatformThread {

		@Test
		void test() {
			started.add(Fixtures.platformThread("report-writer", release));
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeaksAVirtualThread {

		@RegisterExtension
		static final LeakCheckExtension leaks = new LeakCheckExtension(LeakCheck.defaults().withGrace(Duration.ofMillis(100)));

		@Test
		void test() {
			started.add(Fixtures.virtualThread("virtual-report-writer", release));
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeaksAnExecutorTask {

		@Test
		void test() throws InterruptedException {
			ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
				Thread thread = new Thread(task, "leaky-pool-1");
				thread.setDaemon(true);
				started.add(thread);
				return thread;
			});
			CountDownLatch running = new CountDownLatch(1);
			executor.execute(() -> {
				running.countDown();
				Fixtures.awaitRelease(release);
			});
			executor.shutdown();
			assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeaksARunAsync {

		@Test
		void test() {
			CountDownLatch running = new CountDownLatch(1);
			CompletableFuture.runAsync(() -> {
				running.countDown();
				Fixtures.awaitRelease(release);
			});
			Fixtures.awaitRelease(running);
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeavesAThreadThatEndsSoon {

		@Test
		void test() {
			CountDownLatch soon = new CountDownLatch(1);
			started.add(Fixtures.platformThread("ends-soon", soon));
			// released while the check waits out its grace
			Executors.newSingleThreadScheduledExecutor().schedule(soon::countDown, 50, TimeUnit.MILLISECONDS);
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeavesAnIdlePool {

		@Test
		void test() throws Exception {
			ExecutorService executor = Executors.newFixedThreadPool(2);
			assertThat(executor.submit(() -> 42).get(30, TimeUnit.SECONDS)).isEqualTo(42);
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class StartsAStormOfShortThreads {

		@Test
		void test() {
			for (int i = 0; i < 200; i++) {
				Thread thread = new Thread(() -> {
					try {
						Thread.sleep(20);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}, "short-" + i);
				thread.start();
				started.add(thread);
			}
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class AllowsOneThread {

		@Test
		@AllowLeaks(threads = "allowed-*", reason = "the test of the exemption")
		void allowed() {
			started.add(Fixtures.platformThread("allowed-1", release));
		}

		@Test
		void notAllowed() {
			started.add(Fixtures.platformThread("not-allowed", release));
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	@AllowLeaks(reason = "the test of the exemption")
	static class ExemptClass {

		@Test
		void test() {
			started.add(Fixtures.platformThread("exempt", release));
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeaksNothing {

		@Test
		void test() {
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class FailsAndLeaks {

		@Test
		void test() {
			started.add(Fixtures.platformThread("leaked-by-a-failed-test", release));
			throw new AssertionError("the test's own failure");
		}

	}

	static class LeavesAScopeWithAForkOpen {

		// declared first, so its afterEach runs after the leak check's: the root is still open when checked
		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension().allowingOpenScopes();

		@RegisterExtension
		final LeakCheckExtension leaks = new LeakCheckExtension(LeakCheck.defaults().withGrace(Duration.ofMillis(100)));

		@Test
		void test() {
			CancellableScope child = this.root.scope().openChild(ScopeOptions.of(ScopeOptions.METHOD, "Orders.find"));
			scope.set(child);
			CountDownLatch forked = new CountDownLatch(1);
			child.fork(() -> {
				started.add(Thread.currentThread());
				forked.countDown();
				Fixtures.awaitRelease(release);
				return null;
			});
			Fixtures.awaitRelease(forked);
		}

	}

	@ExtendWith(LeakCheckExtension.class)
	static class LeavesAStragglerFork {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension()
			.withSettings((settings) -> settings.withCloseTimeout(Duration.ofMillis(50)));

		@Test
		void test() {
			CountDownLatch forked = new CountDownLatch(1);
			Subtask<Object> task = this.root.scope().fork(() -> {
				started.add(Thread.currentThread());
				forked.countDown();
				// deaf to the interrupt of the root's close: a straggler
				while (release.getCount() > 0) {
					Fixtures.awaitRelease(release);
				}
				return null;
			});
			Fixtures.awaitRelease(forked);
			assertThat(task).isNotNull();
		}

	}

}
