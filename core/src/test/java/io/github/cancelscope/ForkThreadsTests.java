package io.github.cancelscope;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.github.cancelscope.spi.ScopeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ForkThreads}: which threads forks run on, and the bounded pool of platform
 * threads that runs them where the JVM has no virtual threads (Java 17 to 20). The pool's tests
 * make a platform pool explicitly, so they run on every Java and with every
 * {@code -Dcancelscope.forks}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForkThreadsTests {

	private static final int JAVA = Runtime.version().feature();

	@Test
	void rootsRunForksOnWhatThePropertyAndTheJavaVersionAskFor() {
		String forced = System.getProperty(ForkThreads.PROPERTY);
		boolean platform = "platform".equals(forced) || (forced == null && JAVA < 21);
		try (CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withMaxPlatformForkThreads(3))) {
			ForkThreads threads = ((DefaultScope) root).forkThreads();
			assertThat(threads.toString()).isEqualTo(platform ? "platform threads (at most 3)" : "virtual threads");
			assertThat(threads.threadEndsWithTask()).isEqualTo(!platform);
			Thread thread = root.fork(Thread::currentThread).join();
			assertThat(TestThreads.isVirtual(thread)).isEqualTo(!platform);
			assertThat(thread.isDaemon()).isTrue();
		}
	}

	@Test
	void platformThreadsBelowJava21AndWhenAskedFor() {
		for (int java : new int[] { 17, 20 }) {
			assertThat(ForkThreads.create(null, java, 4)).isInstanceOf(ForkThreads.Platform.class)
				.hasToString("platform threads (at most 4)");
		}
		for (int java : new int[] { 17, 21, 25 }) {
			ForkThreads threads = ForkThreads.create("platform", java, 8);
			assertThat(threads).isInstanceOf(ForkThreads.Platform.class);
			assertThat(threads.threadEndsWithTask()).isFalse();
			threads.shutdown();
		}
	}

	@Test
	void virtualThreadsFromJava21() {
		assumeThat(JAVA).as("a JVM with virtual threads").isGreaterThanOrEqualTo(21);
		for (String forced : new String[] { null, "virtual" }) {
			ForkThreads threads = ForkThreads.create(forced, JAVA, 4);
			assertThat(threads).hasToString("virtual threads");
			assertThat(threads.threadEndsWithTask()).isTrue();
		}
	}

	@Test
	void virtualBelowJava21FailsWithWhatToDo() {
		assertThatIllegalStateException().isThrownBy(() -> ForkThreads.create("virtual", 17, 4))
			.withMessage("-Dcancelscope.forks=virtual needs Java 21 or later; this is Java 17. "
					+ "Leave the property unset to run forks on platform threads here.");
	}

	@Test
	void unknownKindFailsWithTheKindsThereAre() {
		assertThatIllegalStateException().isThrownBy(() -> ForkThreads.create("carrier", 25, 4))
			.withMessage("-Dcancelscope.forks=carrier is not a kind of fork thread: use virtual (Java 21 and later) "
					+ "or platform");
	}

	@Test
	void poolBoundIsAtLeastOne() {
		assertThat(ScopeSettings.defaults().maxPlatformForkThreads()).isEqualTo(256);
		assertThatIllegalArgumentException().isThrownBy(() -> ScopeSettings.defaults().withMaxPlatformForkThreads(0))
			.withMessage("maxPlatformForkThreads must be at least 1, was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> ForkThreads.create("platform", 25, 0))
			.withMessage("maxPlatformForkThreads must be at least 1, was 0");
	}

	@Test
	void forkThatFindsEveryPoolThreadBusyIsRefusedAndLeavesTheScopeAsItWas() {
		try (CapturedLog log = CapturedLog.ofScopes(); CancellableScope root = platformRoot(2)) {
			CancellableScope scope = root.openChild();
			CountDownLatch started = new CountDownLatch(2);
			CountDownLatch release = new CountDownLatch(1);
			List<Subtask<String>> busy = List.of(scope.fork(() -> block(started, release)),
					scope.fork(() -> block(started, release)));
			Await.await(started, "two forks run");
			AtomicBoolean ran = new AtomicBoolean();
			assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> scope.fork(() -> ran.getAndSet(true)))
				.withMessageContaining("All 2 fork threads of cancelscope are busy")
				.withMessageContaining("ScopeSettings.withMaxPlatformForkThreads");
			assertThat(scope.isCancelled()).isFalse();
			assertThat(scope.snapshot().forks()).hasSize(2);
			release.countDown();
			assertThat(busy).allSatisfy((fork) -> assertThat(fork.join()).isEqualTo("released"));
			scope.close();
			assertThat(ran).isFalse();
			assertThat(scope.snapshot().forks()).isEmpty();
			assertThat(log.warnings()).isEmpty();
		}
	}

	@Test
	void refusedForkInAllCancelsTheGroupAndTheCallerGetsTheRefusal() {
		try (CancellableScope root = platformRoot(2); CancellableScope scope = root.openChild()) {
			AtomicBoolean thirdRan = new AtomicBoolean();
			Callable<Boolean> blocks = () -> {
				Await.blockUntilInterrupted();
				return false;
			};
			assertThatExceptionOfType(RejectedExecutionException.class)
				.isThrownBy(() -> scope.all(List.of(blocks, blocks, () -> thirdRan.getAndSet(true))));
			assertThat(thirdRan).isFalse();
			assertThat(scope.isCancelled()).isFalse();
			// the group's forks were stopped and awaited: their threads are free again
			assertThat(scope.all(List.of(() -> "a", () -> "b"))).containsExactly("a", "b");
		}
	}

	@Test
	void forkAfterForkOnAPoolOfOneIsNeverRefused() {
		// a joined fork's thread is free for the next fork, even while it is still on its way back to the pool
		try (CancellableScope root = platformRoot(1); CancellableScope scope = root.openChild()) {
			for (int i = 0; i < 5_000; i++) {
				int n = i;
				assertThat(scope.fork(() -> n).join()).isEqualTo(n);
			}
		}
	}

	@Test
	void closingTheRootShutsThePoolDown() {
		Thread thread;
		CancellableScope root = platformRoot(2);
		try {
			thread = root.fork(Thread::currentThread).join();
			assertThat(thread.getName()).startsWith("cancelscope-fork-");
			assertThat(thread.isAlive()).isTrue();
		}
		finally {
			root.close();
		}
		Await.join(thread, "the pool's thread ended once the root closed");
		assertThatIllegalStateException().isThrownBy(() -> root.fork(() -> "late")).withMessageContaining("ended");
	}

	@Test
	void forkStoppedBeforeItsThreadTookItNeverRunsItsTask() throws Exception {
		HeldForkThreads held = new HeldForkThreads();
		try (CancellableScope root = DefaultScope.root(ScopeSettings.defaults(), held);
				CancellableScope scope = root.openChild()) {
			AtomicBoolean ran = new AtomicBoolean();
			Subtask<Boolean> fork = scope.fork(() -> ran.getAndSet(true));
			held.awaitHeld(1);
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
			for (Thread thread : held.release()) {
				Await.join(thread, "the stopped fork ended");
			}
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(fork::join)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED));
			assertThat(fork.state()).isEqualTo(Subtask.State.FAILED);
			assertThat(ran).isFalse();
			assertThat(((Fork<?>) fork).thread()).as("the thread that took the stopped fork").isNotNull();
		}
	}

	@Test
	void threadOfAForkIsUnknownUntilItsTaskBegins() {
		HeldForkThreads held = new HeldForkThreads();
		try (CancellableScope root = DefaultScope.root(ScopeSettings.defaults(), held);
				CancellableScope scope = root.openChild()) {
			Subtask<Thread> fork = scope.fork(Thread::currentThread);
			held.awaitHeld(1);
			assertThat(((Fork<?>) fork).thread()).isNull();
			assertThat(scope.snapshot().forks()).hasSize(1);
			List<Thread> threads = held.release();
			assertThat(fork.join()).isSameAs(threads.get(0)).isSameAs(((Fork<?>) fork).thread());
		}
	}

	@Test
	void stopThatArrivesAfterItsTaskEndedDoesNotInterruptTheNextTaskOfThePooledThread() {
		try (CancellableScope root = platformRoot(1); CancellableScope first = root.openChild();
				CancellableScope second = root.openChild()) {
			Subtask<Thread> ended = first.fork(Thread::currentThread);
			Thread pooled = ended.join();
			awaitIdle(pooled);
			CountDownLatch running = new CountDownLatch(1);
			CountDownLatch stopSent = new CountDownLatch(1);
			Subtask<Boolean> next = second.fork(() -> {
				running.countDown();
				Await.await(stopSent, "the late stop was sent");
				return Thread.currentThread().isInterrupted();
			});
			Await.await(running, "the next task runs on the pooled thread");
			// as a cancel of the first scope that listed its fork just before the fork ended
			((Fork<?>) ended).interrupts().stop();
			stopSent.countDown();
			assertThat(next.join()).as("next task interrupted by a stop meant for the task before it").isFalse();
			assertThat(((Fork<?>) next).thread()).as("the next task ran on the same thread").isSameAs(pooled);
		}
	}

	@Test
	void interruptOfAStoppedForkDoesNotReachTheNextForkOnItsThread() {
		for (boolean keepsInterrupt : new boolean[] { false, true }) {
			try (CancellableScope root = platformRoot(1); CancellableScope first = root.openChild();
					CancellableScope second = root.openChild()) {
				CountDownLatch blocked = new CountDownLatch(1);
				AtomicReference<Thread> thread = new AtomicReference<>();
				Subtask<String> stopped = first.fork(() -> {
					thread.set(Thread.currentThread());
					blocked.countDown();
					try {
						Await.blockUntilInterrupted();
					}
					catch (InterruptedException ex) {
						if (keepsInterrupt) {
							// a task that sets the status again, as it should, and returns
							Thread.currentThread().interrupt();
						}
					}
					return "stopped";
				});
				Await.await(blocked, "the first fork blocks");
				first.cancel(CancellationReason.CLIENT_DISCONNECTED);
				assertThat(stopped.join()).isEqualTo("stopped");
				awaitIdle(thread.get());
				Subtask<Boolean> next = second.fork(() -> {
					boolean atStart = Thread.currentThread().isInterrupted();
					// a late interrupt would land while the task waits
					TimeUnit.MILLISECONDS.sleep(20);
					return atStart;
				});
				assertThat(next.join()).as("next fork began interrupted").isFalse();
				assertThat(((Fork<?>) next).thread()).isSameAs(thread.get());
			}
		}
	}

	@Test
	void pooledForkDoesNotSeeInheritableThreadLocalsOfTheRequestThatStartedItsThread() {
		InheritableThreadLocal<String> user = new InheritableThreadLocal<>();
		try (CancellableScope root = platformRoot(1); CancellableScope scope = root.openChild()) {
			user.set("alice");
			Thread pooled;
			try {
				Subtask<Thread> first = scope.fork(Thread::currentThread);
				pooled = first.join();
			}
			finally {
				user.remove();
			}
			awaitIdle(pooled);
			user.set("bob");
			try {
				Subtask<String> second = scope.fork(user::get);
				assertThat(second.join()).as("what bob's fork sees").isNotEqualTo("alice");
				assertThat(((Fork<?>) second).thread()).isSameAs(pooled);
			}
			finally {
				user.remove();
			}
		}
	}

	@Test
	void concurrentForksNeverExceedTheBoundAndEveryRefusalLeavesTheScopeConsistent() throws Exception {
		int bound = 4;
		int callers = 8;
		try (CancellableScope root = platformRoot(bound); CapturedLog log = CapturedLog.ofScopes()) {
			AtomicInteger runningNow = new AtomicInteger();
			AtomicInteger most = new AtomicInteger();
			LongAdder refused = new LongAdder();
			LongAdder succeeded = new LongAdder();
			AtomicReference<Throwable> problem = new AtomicReference<>();
			CyclicBarrier go = new CyclicBarrier(callers);
			Thread[] threads = new Thread[callers];
			for (int c = 0; c < callers; c++) {
				threads[c] = TestThreads.start(() -> {
					try {
						go.await();
						for (int i = 0; i < 300; i++) {
							try (CancellableScope scope = root.openChild()) {
								try {
									Subtask<Integer> fork = scope.fork(() -> {
										most.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
										try {
											Thread.yield();
											return 1;
										}
										finally {
											runningNow.decrementAndGet();
										}
									});
									fork.join();
									succeeded.increment();
								}
								catch (RejectedExecutionException ex) {
									refused.increment();
								}
							}
						}
					}
					catch (Throwable ex) {
						problem.compareAndSet(null, ex);
					}
				});
			}
			for (Thread thread : threads) {
				Await.join(thread, "the callers finished");
			}
			assertThat(problem.get()).isNull();
			assertThat(most.get()).as("forks running at once").isLessThanOrEqualTo(bound);
			assertThat(succeeded.sum() + refused.sum()).isEqualTo(callers * 300L);
			assertThat(succeeded.sum()).isPositive();
			assertThat(root.snapshot().children()).isEmpty();
			assertThat(log.warnings()).isEmpty();
		}
	}

	@Test
	void checkedFailureOfAPooledForkIsWrapped() {
		try (CancellableScope root = platformRoot(1); CancellableScope scope = root.openChild()) {
			Subtask<Object> fork = scope.fork(() -> {
				throw new IOException("gone");
			});
			assertThatExceptionOfType(CompletionException.class).isThrownBy(fork::join)
				.withCauseInstanceOf(IOException.class);
		}
	}

	/**
	 * Returns a root whose forks run on a pool of {@code max} platform threads, on any Java.
	 */
	static CancellableScope platformRoot(int max) {
		ScopeSettings settings = ScopeSettings.defaults().withMaxPlatformForkThreads(max);
		return DefaultScope.root(settings, ForkThreads.create("platform", JAVA, settings.maxPlatformForkThreads()));
	}

	/**
	 * Waits until a pool thread is back in the pool, waiting for its next task.
	 */
	static void awaitIdle(Thread pooled) {
		await("the pool thread waits for its next task").atMost(Await.SECONDS, TimeUnit.SECONDS)
			.pollInterval(1, TimeUnit.MILLISECONDS)
			.until(() -> pooled.getState() == Thread.State.TIMED_WAITING);
	}

	private static String block(CountDownLatch started, CountDownLatch release) {
		started.countDown();
		Await.awaitUninterruptibly(release, "the test released the forks");
		return "released";
	}

}
