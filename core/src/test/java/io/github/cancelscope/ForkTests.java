package io.github.cancelscope;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.test.ManualScopeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link RequestScope#fork} and {@link Subtask}.
 */
class ForkTests {

	private final CancellableScope root = CancellableScope
		.root(ScopeSettings.defaults().withClock(new ManualScopeClock()));

	@AfterEach
	void closeRoot() {
		this.root.close();
	}

	@Test
	void taskRunsOnAVirtualThreadAndSeesItsScopeAsCurrent() {
		try (CancellableScope scope = this.root.openChild(null)) {
			Subtask<List<Object>> task = scope.view()
				.fork(() -> List.of(RequestScope.current(), Thread.currentThread()));
			List<Object> seen = task.join();
			assertThat(seen.get(0)).isSameAs(scope.view());
			assertThat((Thread) seen.get(1)).isNotSameAs(Thread.currentThread())
				.satisfies((thread) -> assertThat(thread.isVirtual()).isTrue());
		}
	}

	@Test
	void joinReturnsTheResult() {
		try (CancellableScope scope = this.root.openChild(null)) {
			CountDownLatch mayFinish = new CountDownLatch(1);
			Subtask<String> task = scope.view().fork(() -> {
				Await.await(mayFinish, "the test let the task finish");
				return "result";
			});
			assertThat(task.state()).isEqualTo(Subtask.State.RUNNING);
			mayFinish.countDown();
			assertThat(task.join()).isEqualTo("result");
			assertThat(task.join()).isEqualTo("result");
			assertThat(task.state()).isEqualTo(Subtask.State.SUCCEEDED);
			assertThat(scope.view().isCancelled()).isFalse();
		}
	}

	@Test
	void taskMayReturnNull() {
		try (CancellableScope scope = this.root.openChild(null)) {
			assertThat(scope.view().fork(() -> null).join()).isNull();
		}
	}

	@Test
	void failingForkCancelsTheScopeWithSiblingFailedAndItsFailureAsCause() {
		try (CancellableScope scope = this.root.openChild(null)) {
			IllegalStateException failure = new IllegalStateException("boom");
			AtomicReference<Throwable> listenerCause = new AtomicReference<>();
			scope.view().onCancel((reason, cause) -> listenerCause.set(cause));
			Subtask<Object> task = scope.view().fork(() -> {
				throw failure;
			});
			assertThatThrownBy(task::join).isSameAs(failure);
			assertThat(task.state()).isEqualTo(Subtask.State.FAILED);
			assertThat(scope.cancellationReason()).contains(CancellationReason.SIBLING_FAILED);
			assertThat(listenerCause).hasValue(failure);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope.view()::throwIfCancelled)
				.withCause(failure);
		}
	}

	@Test
	void siblingsAreStoppedAndTheirJoinThrowsScopeCancelledExceptionCarryingTheFailure() {
		try (CancellableScope scope = this.root.openChild(null)) {
			CountDownLatch siblingsWaiting = new CountDownLatch(2);
			List<Subtask<String>> siblings = new CopyOnWriteArrayList<>();
			for (int i = 0; i < 2; i++) {
				siblings.add(scope.view().fork(() -> {
					siblingsWaiting.countDown();
					Await.blockUntilInterrupted();
					return "never";
				}));
			}
			Await.await(siblingsWaiting, "the siblings started");
			IllegalArgumentException failure = new IllegalArgumentException("bad input");
			Subtask<Object> failing = scope.view().fork(() -> {
				throw failure;
			});
			for (Subtask<String> sibling : siblings) {
				assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(sibling::join)
					.satisfies((ex) -> {
						assertThat(ex.reason()).isEqualTo(CancellationReason.SIBLING_FAILED);
						assertThat(ex.getCause()).isSameAs(failure);
						assertThat(ex.getSuppressed()).singleElement().isInstanceOf(InterruptedException.class);
					});
				assertThat(sibling.state()).isEqualTo(Subtask.State.FAILED);
			}
			assertThatThrownBy(failing::join).isSameAs(failure);
		}
	}

	@Test
	void siblingThatSucceededBeforeTheFailureKeepsItsResult() {
		try (CancellableScope scope = this.root.openChild(null)) {
			Subtask<String> done = scope.view().fork(() -> "done");
			assertThat(done.join()).isEqualTo("done");
			scope.view().fork(() -> {
				throw new IllegalStateException("boom");
			});
			Await.await(cancelled(scope), "the failure cancelled the scope");
			assertThat(done.join()).isEqualTo("done");
		}
	}

	@Test
	void failingForksOwnJoinRethrowsAnUncheckedFailureAsIs() {
		try (CancellableScope scope = this.root.openChild(null)) {
			AssertionError error = new AssertionError("an error");
			Subtask<Object> task = scope.view().fork(() -> {
				throw error;
			});
			assertThatThrownBy(task::join).isSameAs(error);
		}
	}

	@Test
	void failingForksOwnJoinWrapsACheckedFailureInCompletionException() {
		try (CancellableScope scope = this.root.openChild(null)) {
			IOException failure = new IOException("disk gone");
			Subtask<Object> task = scope.view().fork(() -> {
				throw failure;
			});
			assertThatExceptionOfType(CompletionException.class).isThrownBy(task::join).withCause(failure);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope.view()::throwIfCancelled)
				.withCause(failure);
		}
	}

	@Test
	void forkFailureInAChildScopeDoesNotCancelTheParent() {
		try (CancellableScope parent = this.root.openChild(null)) {
			try (CancellableScope child = parent.openChild(null)) {
				Subtask<Object> task = child.view().fork(() -> {
					throw new IllegalStateException("boom");
				});
				assertThatIllegalStateException().isThrownBy(task::join);
				assertThat(child.cancellationReason()).contains(CancellationReason.SIBLING_FAILED);
			}
			assertThat(parent.view().isCancelled()).isFalse();
		}
	}

	@Test
	void cancellingTheScopeInterruptsItsForks() {
		try (CancellableScope scope = this.root.openChild(null)) {
			CountDownLatch waiting = new CountDownLatch(1);
			Subtask<String> task = scope.view().fork(() -> {
				waiting.countDown();
				Await.blockUntilInterrupted();
				return "never";
			});
			Await.await(waiting, "the task started");
			scope.cancel(CancellationReason.SHUTDOWN);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(task::join)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.SHUTDOWN));
		}
	}

	@Test
	void taskThatSucceedsDespiteTheCancellationKeepsItsResult() {
		try (CancellableScope scope = this.root.openChild(null)) {
			CountDownLatch waiting = new CountDownLatch(1);
			Subtask<String> task = scope.view().fork(() -> {
				waiting.countDown();
				try {
					Await.blockUntilInterrupted();
				}
				catch (InterruptedException ex) {
					return "stopped politely";
				}
				return "never";
			});
			Await.await(waiting, "the task started");
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(task.join()).isEqualTo("stopped politely");
		}
	}

	@Test
	void forkOnACancelledScopeThrowsScopeCancelledExceptionAndDoesNotRunTheTask() {
		try (CancellableScope scope = this.root.openChild(null)) {
			IllegalStateException cause = new IllegalStateException("boom");
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED, cause);
			AtomicBoolean ran = new AtomicBoolean();
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(() -> scope.view().fork(() -> {
				ran.set(true);
				return null;
			})).satisfies((ex) -> {
				assertThat(ex.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED);
				assertThat(ex.getCause()).isSameAs(cause);
			});
			scope.close();
			assertThat(ran).isFalse();
		}
	}

	@Test
	void forkOnAClosedScopeThrowsIllegalStateException() {
		CancellableScope scope = this.root.openChild(null);
		scope.close();
		AtomicBoolean ran = new AtomicBoolean();
		assertThatIllegalStateException().isThrownBy(() -> scope.view().fork(() -> ran.getAndSet(true)))
			.withMessageContaining("ended");
		assertThat(ran).isFalse();
	}

	@Test
	void cleanupCannotForkIntoItsClosingScope() {
		CancellableScope scope = this.root.openChild(null);
		AtomicReference<Throwable> forkFailure = new AtomicReference<>();
		AtomicBoolean ran = new AtomicBoolean();
		scope.view().defer(() -> {
			try {
				scope.view().fork(() -> ran.getAndSet(true));
			}
			catch (Throwable ex) {
				forkFailure.set(ex);
			}
		});
		scope.close();
		assertThat(forkFailure.get()).isInstanceOf(IllegalStateException.class);
		assertThat(ran).isFalse();
	}

	@Test
	void forkedTaskCanForkIntoItsOwnScope() {
		try (CancellableScope scope = this.root.openChild(null)) {
			Subtask<String> outer = scope.view().fork(() -> {
				Subtask<RequestScope> inner = RequestScope.current().fork(RequestScope::current);
				return (inner.join() == scope.view()) ? "same scope" : "other scope";
			});
			assertThat(outer.join()).isEqualTo("same scope");
		}
	}

	@Test
	void contextCaptureIsAppliedOnTheForkingThread() {
		ThreadLocal<String> traceId = new ThreadLocal<>();
		List<Thread> capturedOn = new CopyOnWriteArrayList<>();
		ContextCapture capture = new ContextCapture() {

			@Override
			public <T> Callable<T> capture(Callable<T> task) {
				capturedOn.add(Thread.currentThread());
				String value = traceId.get();
				return () -> {
					traceId.set(value);
					try {
						return task.call();
					}
					finally {
						traceId.remove();
					}
				};
			}

		};
		try (CancellableScope scope = CancellableScope
			.root(ScopeSettings.defaults().withClock(new ManualScopeClock()).withContextCapture(capture))) {
			traceId.set("trace-42");
			try {
				Subtask<String> task = scope.view().fork(traceId::get);
				assertThat(task.join()).isEqualTo("trace-42");
				assertThat(capturedOn).containsExactly(Thread.currentThread());
			}
			finally {
				traceId.remove();
			}
		}
	}

	@Test
	void joinOnAnInterruptedThreadOfAScopeThatIsNotCancelledThrowsCompletionExceptionAndKeepsTheInterrupt() {
		try (CancellableScope scope = this.root.openChild(null)) {
			CountDownLatch mayFinish = new CountDownLatch(1);
			Subtask<String> task = scope.view().fork(() -> {
				Await.await(mayFinish, "the test let the task finish");
				return "late";
			});
			Thread.currentThread().interrupt();
			try {
				assertThatExceptionOfType(CompletionException.class).isThrownBy(task::join)
					.withCauseInstanceOf(InterruptedException.class);
				assertThat(Thread.currentThread().isInterrupted()).isTrue();
			}
			finally {
				Thread.interrupted();
				mayFinish.countDown();
			}
			assertThat(task.join()).isEqualTo("late");
		}
	}

	static CountDownLatch cancelled(CancellableScope scope) {
		CountDownLatch latch = new CountDownLatch(1);
		scope.view().onCancel((reason, cause) -> latch.countDown());
		return latch;
	}

}
