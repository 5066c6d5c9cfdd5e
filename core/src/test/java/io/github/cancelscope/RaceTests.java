package io.github.cancelscope;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RequestScope#race}.
 */
class RaceTests {

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void firstSuccessWinsAndEveryLosersSlowCleanupHasFinishedBeforeRaceReturns() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			int losers = 2;
			CountDownLatch losersWaiting = new CountDownLatch(losers);
			// cleanups run one after the other, so the first one to start waits for the release
			CountDownLatch cleanupsStarted = new CountDownLatch(1);
			CountDownLatch mayFinishCleanups = new CountDownLatch(1);
			AtomicInteger cleanupsFinished = new AtomicInteger();
			AtomicInteger losersCancelled = new AtomicInteger();
			Callable<String> loser = () -> {
				RequestScope.current().defer(() -> {
					cleanupsStarted.countDown();
					// slow: only another thread lets it finish
					Await.awaitUninterruptibly(mayFinishCleanups, "the releaser let the cleanups finish");
					cleanupsFinished.incrementAndGet();
				});
				losersWaiting.countDown();
				try {
					Await.blockUntilInterrupted();
				}
				catch (InterruptedException ex) {
					losersCancelled.incrementAndGet();
					throw ex;
				}
				return "loser";
			};
			Callable<String> winner = () -> {
				Await.await(losersWaiting, "the losers started");
				return "winner";
			};
			Thread releaser = TestThreads.start(() -> {
				Await.await(cleanupsStarted, "the cleanups started");
				mayFinishCleanups.countDown();
			});
			String result = scope.race(List.of(loser, winner, loser));
			int finishedWhenRaceReturned = cleanupsFinished.get();
			assertThat(result).isEqualTo("winner");
			assertThat(finishedWhenRaceReturned).as("loser cleanups finished before race returned").isEqualTo(losers);
			assertThat(losersCancelled).hasValue(losers);
			assertThat(scope.isCancelled()).isFalse();
			Await.join(releaser, "the releaser ended");
		}
	}

	@Test
	void firstSuccessWinsAfterEarlierFailures() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch failingStarted = new CountDownLatch(1);
			String result = scope.race(List.of(() -> {
				failingStarted.countDown();
				throw new IllegalStateException("fails first");
			}, () -> {
				Await.await(failingStarted, "the failing task started");
				awaitForksOfTheRaceRunning(1, "the failing task ended");
				return "succeeds later";
			}));
			assertThat(result).isEqualTo("succeeds later");
			assertThat(scope.isCancelled()).isFalse();
		}
	}

	@Test
	void whenAllFailTheFirstFailureIsRethrownWithTheOthersSuppressed() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IllegalStateException first = new IllegalStateException("first");
			IllegalArgumentException second = new IllegalArgumentException("second");
			UnsupportedOperationException third = new UnsupportedOperationException("third");
			CountDownLatch firstStarted = new CountDownLatch(1);
			CountDownLatch secondStarted = new CountDownLatch(1);
			// each task fails only after the one before it has ended, so the order is certain
			Callable<String> thirdTask = () -> {
				Await.await(secondStarted, "the second task started");
				awaitForksOfTheRaceRunning(1, "the second task ended");
				throw third;
			};
			Callable<String> secondTask = () -> {
				secondStarted.countDown();
				Await.await(firstStarted, "the first task started");
				awaitForksOfTheRaceRunning(2, "the first task ended");
				throw second;
			};
			Callable<String> firstTask = () -> {
				firstStarted.countDown();
				throw first;
			};
			assertThatThrownBy(() -> scope.race(List.of(thirdTask, secondTask, firstTask))).isSameAs(first);
			assertThat(first.getSuppressed()).containsExactly(second, third);
			assertThat(scope.isCancelled()).isFalse();
		}
	}

	/**
	 * Waits, in a task of a race, until at most {@code count} of the race's forks still run: the
	 * others have reported their outcome and ended. (Not their threads: a pooled one goes on.)
	 */
	private static void awaitForksOfTheRaceRunning(int count, String what) {
		CancellableScope group = (CancellableScope) RequestScope.current();
		await(what).atMost(Await.SECONDS, TimeUnit.SECONDS)
			.pollInterval(1, TimeUnit.MILLISECONDS)
			.until(() -> group.snapshot().forks().size() <= count);
	}

	@Test
	void checkedFailureOfTheOnlyTaskIsWrappedInCompletionException() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IOException failure = new IOException("boom");
			assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> scope.race(List.of(() -> {
				throw failure;
			}))).withCause(failure);
		}
	}

	@Test
	void raceOfNoTasksIsRejected() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			assertThatIllegalArgumentException().isThrownBy(() -> scope.race(List.of()));
		}
	}

	@Test
	void cancellationOfTheEnclosingScopeMakesRaceThrowScopeCancelledException() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch waiting = new CountDownLatch(2);
			Callable<String> waiter = () -> {
				waiting.countDown();
				Await.blockUntilInterrupted();
				return "never";
			};
			Thread canceller = TestThreads.start(() -> {
				Await.await(waiting, "the tasks started");
				scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
			});
			assertThatExceptionOfType(ScopeCancelledException.class)
				.isThrownBy(() -> scope.race(List.of(waiter, waiter)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED));
			Await.join(canceller, "the canceller ended");
		}
	}

	@Test
	void cancellationBeforeTheForksThreadsTookThemEndsTheRace() {
		// a fork stopped before its thread takes it never runs, so it never reports its outcome
		HeldForkThreads held = new HeldForkThreads();
		try (CancellableScope root = DefaultScope.root(ScopeSettings.defaults(), held);
				CancellableScope scope = root.openChild()) {
			AtomicInteger ran = new AtomicInteger();
			AtomicReference<Throwable> thrown = new AtomicReference<>();
			Thread racer = TestThreads.start(() -> {
				try {
					scope.race(List.of(ran::incrementAndGet, ran::incrementAndGet));
				}
				catch (Throwable ex) {
					thrown.set(ex);
				}
			});
			held.awaitHeld(2);
			scope.cancel(CancellationReason.SHUTDOWN);
			held.release();
			Await.join(racer, "race returned");
			assertThat(thrown.get()).isInstanceOfSatisfying(ScopeCancelledException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.SHUTDOWN));
			assertThat(ran).hasValue(0);
		}
	}

	@Test
	void taskThatSucceedsDespiteTheCancellationOfTheEnclosingScopeStillWins() {
		HeldForkThreads held = new HeldForkThreads();
		try (CancellableScope root = DefaultScope.root(ScopeSettings.defaults(), held);
				CancellableScope scope = root.openChild()) {
			CountDownLatch running = new CountDownLatch(1);
			AtomicReference<Object> outcome = new AtomicReference<>();
			Thread racer = TestThreads.start(() -> {
				try {
					outcome.set(scope.race(List.of(() -> {
						running.countDown();
						try {
							Await.blockUntilInterrupted();
						}
						catch (InterruptedException ex) {
							return "finished anyway";
						}
						return "never";
					}, () -> "never ran")));
				}
				catch (Throwable ex) {
					outcome.set(ex);
				}
			});
			held.awaitHeld(2);
			held.release(1);
			Await.await(running, "the first task runs");
			// the second fork has not begun when the cancellation comes: it never runs
			scope.cancel(CancellationReason.SHUTDOWN);
			held.release();
			Await.join(racer, "race returned");
			assertThat(outcome.get()).isEqualTo("finished anyway");
		}
	}

	@Test
	void raceOnACancelledScopeThrowsWithoutRunningTheTasks() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.cancel(CancellationReason.SHUTDOWN);
			AtomicBoolean ran = new AtomicBoolean();
			assertThatExceptionOfType(ScopeCancelledException.class)
				.isThrownBy(() -> scope.race(List.of(() -> ran.getAndSet(true))));
			assertThat(ran).isFalse();
		}
	}

	@Test
	void raceLeavesNoInterruptOnTheCallingThread() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch loserWaiting = new CountDownLatch(1);
			String result = scope.race(List.of(() -> {
				loserWaiting.countDown();
				Await.blockUntilInterrupted();
				return "loser";
			}, () -> {
				Await.await(loserWaiting, "the loser started");
				return "winner";
			}));
			assertThat(result).isEqualTo("winner");
			assertThat(Thread.currentThread().isInterrupted()).isFalse();
		}
	}

}
