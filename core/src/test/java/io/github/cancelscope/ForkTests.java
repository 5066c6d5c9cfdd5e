package io.github.cancelscope;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.spi.ContextCapture;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link RequestScope#fork} and {@link Subtask}.
 */
class ForkTests {

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void taskRunsOnAThreadOfItsOwnAndSeesItsScopeAsCurrent() {
		// a virtual thread on Java 21 and later, a pooled platform thread on 17 to 20 (ForkThreadsTests)
		boolean virtual = !(((DefaultScope) this.root.scope()).forkThreads() instanceof ForkThreads.Platform);
		try (CancellableScope scope = this.root.scope().openChild()) {
			Subtask<List<Object>> task = scope
				.fork(() -> List.of(RequestScope.current(), Thread.currentThread()));
			List<Object> seen = task.join();
			assertThat(seen.get(0)).isSameAs(scope);
			assertThat((Thread) seen.get(1)).isNotSameAs(Thread.currentThread())
				.satisfies((thread) -> assertThat(TestThreads.isVirtual(thread)).isEqualTo(virtual))
				.satisfies((thread) -> assertThat(thread.getName())
					.startsWith(virtual ? "cancelscope-" + scope.id() + "-fork" : "cancelscope-fork-"));
		}
	}

	@Test
	void joinReturnsTheResult() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch mayFinish = new CountDownLatch(1);
			Subtask<String> task = scope.fork(() -> {
				Await.await(mayFinish, "the test let the task finish");
				return "result";
			});
			assertThat(task.state()).isEqualTo(Subtask.State.RUNNING);
			mayFinish.countDown();
			assertThat(task.join()).isEqualTo("result");
			assertThat(task.join()).isEqualTo("result");
			assertThat(task.state()).isEqualTo(Subtask.State.SUCCEEDED);
			assertThat(scope.isCancelled()).isFalse();
		}
	}

	@Test
	void taskMayReturnNull() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			assertThat(scope.fork(() -> null).join()).isNull();
		}
	}

	@Test
	void failingForkCancelsTheScopeWithSiblingFailedAndItsFailureAsCause() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IllegalStateException failure = new IllegalStateException("boom");
			AtomicReference<Throwable> listenerCause = new AtomicReference<>();
			scope.onCancel((cancellation) -> listenerCause.set(cancellation.cause()));
			Subtask<Object> task = scope.fork(() -> {
				throw failure;
			});
			assertThatThrownBy(task::join).isSameAs(failure);
			assertThat(task.state()).isEqualTo(Subtask.State.FAILED);
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.SIBLING_FAILED);
			assertThat(listenerCause).hasValue(failure);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.withCause(failure);
		}
	}

	@Test
	void siblingsAreStoppedAndTheirJoinThrowsScopeCancelledExceptionCarryingTheFailure() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch siblingsWaiting = new CountDownLatch(2);
			List<Subtask<String>> siblings = new CopyOnWriteArrayList<>();
			for (int i = 0; i < 2; i++) {
				siblings.add(scope.fork(() -> {
					siblingsWaiting.countDown();
					Await.blockUntilInterrupted();
					return "never";
				}));
			}
			Await.await(siblingsWaiting, "the siblings started");
			IllegalArgumentException failure = new IllegalArgumentException("bad input");
			Subtask<Object> failing = scope.fork(() -> {
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
		try (CancellableScope scope = this.root.scope().openChild()) {
			Subtask<String> done = scope.fork(() -> "done");
			assertThat(done.join()).isEqualTo("done");
			scope.fork(() -> {
				throw new IllegalStateException("boom");
			});
			Await.await(cancelled(scope), "the failure cancelled the scope");
			assertThat(done.join()).isEqualTo("done");
		}
	}

	@Test
	void failingForksOwnJoinRethrowsAnUncheckedFailureAsIs() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			AssertionError error = new AssertionError("an error");
			Subtask<Object> task = scope.fork(() -> {
				throw error;
			});
			assertThatThrownBy(task::join).isSameAs(error);
		}
	}

	@Test
	void failingForksOwnJoinWrapsACheckedFailureInCompletionException() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IOException failure = new IOException("disk gone");
			Subtask<Object> task = scope.fork(() -> {
				throw failure;
			});
			assertThatExceptionOfType(CompletionException.class).isThrownBy(task::join).withCause(failure);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.withCause(failure);
		}
	}

	@Test
	void forkFailureInAChildScopeDoesNotCancelTheParent() {
		try (CancellableScope parent = this.root.scope().openChild()) {
			try (CancellableScope child = parent.openChild()) {
				Subtask<Object> task = child.fork(() -> {
					throw new IllegalStateException("boom");
				});
				assertThatIllegalStateException().isThrownBy(task::join);
				assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.SIBLING_FAILED);
			}
			assertThat(parent.isCancelled()).isFalse();
		}
	}

	@Test
	void cancellingTheScopeInterruptsItsForks() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch waiting = new CountDownLatch(1);
			Subtask<String> task = scope.fork(() -> {
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
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch waiting = new CountDownLatch(1);
			Subtask<String> task = scope.fork(() -> {
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
		try (CancellableScope scope = this.root.scope().openChild()) {
			IllegalStateException cause = new IllegalStateException("boom");
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED, cause);
			AtomicBoolean ran = new AtomicBoolean();
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(() -> scope.fork(() -> {
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
		CancellableScope scope = this.root.scope().openChild();
		scope.close();
		AtomicBoolean ran = new AtomicBoolean();
		assertThatIllegalStateException().isThrownBy(() -> scope.fork(() -> ran.getAndSet(true)))
			.withMessageContaining("ended");
		assertThat(ran).isFalse();
	}

	@Test
	void cleanupCannotForkIntoItsClosingScope() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicReference<Throwable> forkFailure = new AtomicReference<>();
		AtomicBoolean ran = new AtomicBoolean();
		scope.defer(() -> {
			try {
				scope.fork(() -> ran.getAndSet(true));
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
		try (CancellableScope scope = this.root.scope().openChild()) {
			Subtask<String> outer = scope.fork(() -> {
				Subtask<RequestScope> inner = RequestScope.current().fork(RequestScope::current);
				return (inner.join() == scope) ? "same scope" : "other scope";
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
				Subtask<String> task = scope.fork(traceId::get);
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
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch mayFinish = new CountDownLatch(1);
			Subtask<String> task = scope.fork(() -> {
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
		scope.onCancel((cancellation) -> latch.countDown());
		return latch;
	}

}
