package io.github.cancelscope;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
			Thread releaser = Thread.ofPlatform().start(() -> {
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
			AtomicReference<Thread> failingThread = new AtomicReference<>();
			CountDownLatch failingStarted = new CountDownLatch(1);
			String result = scope.race(List.of(() -> {
				failingThread.set(Thread.currentThread());
				failingStarted.countDown();
				throw new IllegalStateException("fails first");
			}, () -> {
				Await.await(failingStarted, "the failing task started");
				Await.join(failingThread.get(), "the failing task ended");
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
			AtomicReference<Thread> firstThread = new AtomicReference<>();
			AtomicReference<Thread> secondThread = new AtomicReference<>();
			CountDownLatch firstStarted = new CountDownLatch(1);
			CountDownLatch secondStarted = new CountDownLatch(1);
			// each task fails only after the one before it has ended, so the order is certain
			Callable<String> thirdTask = () -> {
				Await.await(secondStarted, "the second task started");
				Await.join(secondThread.get(), "the second task ended");
				throw third;
			};
			Callable<String> secondTask = () -> {
				secondThread.set(Thread.currentThread());
				secondStarted.countDown();
				Await.await(firstStarted, "the first task started");
				Await.join(firstThread.get(), "the first task ended");
				throw second;
			};
			Callable<String> firstTask = () -> {
				firstThread.set(Thread.currentThread());
				firstStarted.countDown();
				throw first;
			};
			assertThatThrownBy(() -> scope.race(List.of(thirdTask, secondTask, firstTask))).isSameAs(first);
			assertThat(first.getSuppressed()).containsExactly(second, third);
			assertThat(scope.isCancelled()).isFalse();
		}
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
			Thread canceller = Thread.ofPlatform().start(() -> {
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
