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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link RequestScope#all}.
 */
class AllTests {

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void resultsComeInTaskOrderWhateverTheOrderTheTasksFinishIn() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch thirdDone = new CountDownLatch(1);
			CountDownLatch secondDone = new CountDownLatch(1);
			List<Callable<String>> tasks = List.of(() -> {
				Await.await(secondDone, "the second task finished");
				return "first";
			}, () -> {
				Await.await(thirdDone, "the third task finished");
				secondDone.countDown();
				return "second";
			}, () -> {
				thirdDone.countDown();
				return "third";
			});
			assertThat(scope.all(tasks)).containsExactly("first", "second", "third");
			assertThat(scope.isCancelled()).isFalse();
		}
	}

	@Test
	void noTasksGiveNoResults() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			assertThat(scope.all(List.<Callable<String>>of())).isEmpty();
		}
	}

	@Test
	void tasksRunInAGroupInsideTheScope() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			List<RequestScope> seen = scope.all(List.of(RequestScope::current, RequestScope::current));
			assertThat(seen.get(0)).isSameAs(seen.get(1)).isNotSameAs(scope);
		}
	}

	@Test
	void firstFailureCancelsTheOthersAndIsRethrownAfterTheyFinished() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch othersWaiting = new CountDownLatch(2);
			AtomicInteger sawCancellation = new AtomicInteger();
			AtomicInteger finished = new AtomicInteger();
			IllegalStateException failure = new IllegalStateException("first failure");
			Callable<String> waiter = () -> {
				othersWaiting.countDown();
				try {
					Await.blockUntilInterrupted();
				}
				catch (InterruptedException ex) {
					if (RequestScope.current().isCancelled()) {
						sawCancellation.incrementAndGet();
					}
					throw ex;
				}
				finally {
					finished.incrementAndGet();
				}
				return "never";
			};
			Callable<String> failing = () -> {
				Await.await(othersWaiting, "the other tasks started");
				throw failure;
			};
			assertThatThrownBy(() -> scope.all(List.of(waiter, failing, waiter))).isSameAs(failure);
			assertThat(sawCancellation).hasValue(2);
			assertThat(finished).hasValue(2);
			assertThat(failure.getSuppressed()).isEmpty();
		}
	}

	@Test
	void failureDoesNotCancelTheEnclosingScope() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IllegalArgumentException failure = new IllegalArgumentException("boom");
			assertThatThrownBy(() -> scope.all(List.of(() -> "fine", () -> {
				throw failure;
			}))).isSameAs(failure);
			assertThat(scope.isCancelled()).isFalse();
			assertThat(scope.fork(() -> "still usable").join()).isEqualTo("still usable");
		}
	}

	@Test
	void checkedFailureIsWrappedInCompletionException() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IOException failure = new IOException("boom");
			assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> scope.all(List.of(() -> {
				throw failure;
			}))).withCause(failure);
		}
	}

	@Test
	void failureOfATaskForkedByATaskIsRethrown() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IllegalStateException failure = new IllegalStateException("nested");
			assertThatThrownBy(() -> scope.all(List.of(() -> {
				RequestScope.current().fork(() -> {
					throw failure;
				});
				Await.blockUntilInterrupted();
				return "never";
			}))).isSameAs(failure);
			assertThat(scope.isCancelled()).isFalse();
		}
	}

	@Test
	void cancellationOfTheEnclosingScopeMakesAllThrowScopeCancelledException() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch waiting = new CountDownLatch(2);
			Callable<String> waiter = () -> {
				waiting.countDown();
				Await.blockUntilInterrupted();
				return "never";
			};
			Thread canceller = TestThreads.start(() -> {
				Await.await(waiting, "the tasks started");
				scope.cancel(CancellationReason.SHUTDOWN);
			});
			assertThatExceptionOfType(ScopeCancelledException.class)
				.isThrownBy(() -> scope.all(List.of(waiter, waiter)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.SHUTDOWN));
			Await.join(canceller, "the canceller ended");
		}
	}

	@Test
	void allOnACancelledScopeThrowsWithoutRunningTheTasks() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
			AtomicBoolean ran = new AtomicBoolean();
			assertThatExceptionOfType(ScopeCancelledException.class)
				.isThrownBy(() -> scope.all(List.of(() -> ran.getAndSet(true))))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED));
			assertThat(ran).isFalse();
		}
	}

	@Test
	void cleanupsDeferredByTasksHaveRunWhenAllReturns() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			AtomicInteger cleanups = new AtomicInteger();
			AtomicReference<RequestScope> group = new AtomicReference<>();
			scope.all(List.of(() -> {
				group.set(RequestScope.current());
				RequestScope.current().defer(cleanups::incrementAndGet);
				return 1;
			}));
			assertThat(cleanups).hasValue(1);
		}
	}

}
