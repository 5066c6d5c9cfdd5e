package io.github.cancelscope;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link CancellableScope#close()}: forks, stragglers, idempotence and the interrupt
 * status of the thread that opened the scope.
 */
class CloseTests {

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void closeCancelsRunningForksAndReturnsOnlyAfterTheyEnded() {
		CancellableScope scope = this.root.scope().openChild();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch interrupted = new CountDownLatch(1);
		CountDownLatch mayFinish = new CountDownLatch(1);
		AtomicBoolean finished = new AtomicBoolean();
		AtomicReference<Thread> forkThread = new AtomicReference<>();
		AtomicReference<Boolean> sawCancelled = new AtomicReference<>();
		scope.fork(() -> {
			forkThread.set(Thread.currentThread());
			started.countDown();
			try {
				Await.blockUntilInterrupted();
			}
			catch (InterruptedException ex) {
				sawCancelled.set(RequestScope.current().isCancelled());
				interrupted.countDown();
			}
			// keep running after the interrupt until another thread says so
			Await.awaitUninterruptibly(mayFinish, "the releaser let the fork finish");
			finished.set(true);
			return null;
		});
		Await.await(started, "the fork started");
		Thread releaser = TestThreads.start(() -> {
			Await.await(interrupted, "close interrupted the fork");
			mayFinish.countDown();
		});
		scope.close();
		assertThat(finished).as("the fork finished before close returned").isTrue();
		if (TestThreads.forkThreadsEndWithTasks(scope)) {
			assertThat(forkThread.get().isAlive()).isFalse();
		}
		assertThat(sawCancelled).hasValue(true);
		assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.CANCELLED);
		Await.join(releaser, "the releaser ended");
	}

	@Test
	void closeOfAnIdleScopeDoesNotCancelIt() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicInteger fired = new AtomicInteger();
		scope.onCancel((cancellation) -> fired.incrementAndGet());
		assertThat(scope.fork(() -> "done").join()).isEqualTo("done");
		scope.close();
		assertThat(scope.isCancelled()).isFalse();
		assertThat(fired).hasValue(0);
	}

	@Test
	void closeCancelsChildrenThatAreStillOpen() {
		CancellableScope scope = this.root.scope().openChild();
		CancellableScope child = scope.openChild();
		scope.close();
		assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.CANCELLED);
		assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.CANCELLED);
		child.close();
	}

	@Test
	void closedChildrenDoNotMakeTheParentCancelOnClose() {
		CancellableScope scope = this.root.scope().openChild();
		scope.openChild().close();
		scope.close();
		assertThat(scope.isCancelled()).isFalse();
	}

	@Test
	void forkThreadsHaveTerminatedWhenCloseReturns() {
		assumeTrue(TestThreads.forkThreadsEndWithTasks(this.root.scope()),
				"forks run on pooled platform threads, which outlive their tasks");
		for (int i = 0; i < 300; i++) {
			List<Thread> threads = new CopyOnWriteArrayList<>();
			CancellableScope scope = this.root.scope().openChild();
			for (int j = 0; j < 3; j++) {
				scope.fork(() -> threads.add(Thread.currentThread())).join();
			}
			scope.close();
			assertThat(threads).hasSize(3).allSatisfy((thread) -> assertThat(thread.isAlive())
				.as("fork thread %s is alive after close() returned", thread)
				.isFalse());
		}
	}

	@Test
	void stragglerThatIgnoresInterruptsIsLoggedWithItsStackAndCleanupsStillRun() {
		CancellableScope impatient = CancellableScope.root(ScopeSettings.defaults()
			.withClock(new ManualScopeClock())
			.withCloseTimeout(Duration.ofMillis(50)));
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch mayFinish = new CountDownLatch(1);
		AtomicReference<Thread> stragglerThread = new AtomicReference<>();
		AtomicBoolean cleanedUp = new AtomicBoolean();
		try (CapturedLog log = CapturedLog.ofScopes()) {
			CancellableScope scope = impatient.openChild();
			scope.defer(() -> cleanedUp.set(true));
			scope.fork(() -> {
				stragglerThread.set(Thread.currentThread());
				started.countDown();
				ignoreInterruptsUntil(mayFinish);
				return null;
			});
			Await.await(started, "the straggler started");
			scope.close();
			assertThat(stragglerThread.get().isAlive()).as("the straggler is still running").isTrue();
			assertThat(cleanedUp).isTrue();
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.CANCELLED);
			List<LogRecord> warnings = log.warnings();
			assertThat(warnings).singleElement().satisfies((record) -> {
				assertThat(record.getLevel()).isEqualTo(Level.WARNING);
				assertThat(record.getMessage()).contains(scope.id()).contains("still running");
				assertThat(record.getThrown()).isNotNull();
				assertThat(Arrays.stream(record.getThrown().getStackTrace()).map(StackTraceElement::getMethodName))
					.contains("ignoreInterruptsUntil");
			});
		}
		finally {
			mayFinish.countDown();
			// closing the root ends its pool of fork threads, if it has one, once the straggler is done
			impatient.close();
			if (stragglerThread.get() != null) {
				Await.join(stragglerThread.get(), "the straggler ended");
			}
		}
	}

	private static void ignoreInterruptsUntil(CountDownLatch latch) {
		Await.awaitUninterruptibly(latch, "the test released the straggler");
	}

	@Test
	void closeIsIdempotent() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicInteger cleanups = new AtomicInteger();
		scope.defer(cleanups::incrementAndGet);
		scope.close();
		scope.close();
		assertThat(cleanups).hasValue(1);
		assertThat(scope.isCancelled()).isFalse();
	}

	@Test
	void secondCloseDoesNotRethrowTheCleanupFailure() {
		CancellableScope scope = this.root.scope().openChild();
		IllegalStateException failure = new IllegalStateException("cleanup failed");
		scope.defer(() -> {
			throw failure;
		});
		try {
			scope.close();
		}
		catch (IllegalStateException ex) {
			assertThat(ex).isSameAs(failure);
		}
		scope.close();
	}

	@Test
	void closedScopeEndsItsRelationToItsParent() {
		CancellableScope parent = this.root.scope().openChild();
		CancellableScope child = parent.openChild();
		child.close();
		parent.cancel(CancellationReason.CANCELLED);
		assertThat(child.isCancelled()).isFalse();
		parent.close();
	}

	@Test
	void closeClearsAnInterruptSetInsideTheScope() {
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		CancellableScope scope = this.root.scope().openChild();
		scope.call(() -> {
			Thread.currentThread().interrupt();
			return null;
		});
		scope.close();
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
	}

	@Test
	void closeKeepsAnInterruptThatWasSetBeforeTheScopeOpened() {
		Thread.currentThread().interrupt();
		CancellableScope scope = this.root.scope().openChild();
		scope.call(Thread::interrupted);
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		scope.close();
		assertThat(Thread.interrupted()).as("interrupt status after close").isTrue();
	}

	@Test
	void closeRestoresTheInterruptStatusEvenWhenAForkIsInterruptedAndACleanupInterruptsTheOpener() {
		CancellableScope scope = this.root.scope().openChild();
		CountDownLatch waiting = new CountDownLatch(1);
		scope.fork(() -> {
			waiting.countDown();
			Await.blockUntilInterrupted();
			return null;
		});
		scope.defer(() -> Thread.currentThread().interrupt());
		Await.await(waiting, "the fork started");
		scope.close();
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
	}

	@Test
	void closeOnAnotherThreadLeavesThatThreadsInterruptStatusAlone() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicReference<Boolean> interruptedAfterClose = new AtomicReference<>();
		Thread closer = TestThreads.start(() -> {
			Thread.currentThread().interrupt();
			scope.close();
			interruptedAfterClose.set(Thread.currentThread().isInterrupted());
		});
		Await.join(closer, "the other thread closed the scope");
		assertThat(interruptedAfterClose).hasValue(true);
	}

	@Test
	void closeWhileInterruptedStillWaitsForForksAndKeepsTheInterrupt() {
		CancellableScope scope = this.root.scope().openChild();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch interrupted = new CountDownLatch(1);
		CountDownLatch mayFinish = new CountDownLatch(1);
		AtomicBoolean finished = new AtomicBoolean();
		scope.fork(() -> {
			started.countDown();
			try {
				Await.blockUntilInterrupted();
			}
			catch (InterruptedException ex) {
				interrupted.countDown();
			}
			Await.awaitUninterruptibly(mayFinish, "the releaser let the fork finish");
			finished.set(true);
			return null;
		});
		Await.await(started, "the fork started");
		Thread closer = Thread.currentThread();
		Thread releaser = TestThreads.start(() -> {
			Await.await(interrupted, "close interrupted the fork");
			// an interrupt from outside while close waits (say, a shutdown) is kept for the caller
			closer.interrupt();
			mayFinish.countDown();
		});
		scope.close();
		assertThat(finished).isTrue();
		assertThat(Thread.interrupted()).isTrue();
		Await.join(releaser, "the releaser ended");
	}

	@Test
	void cleanupOfAScopeThatWasNotCancelledCannotOpenAChildOfIt() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicReference<Object> opened = new AtomicReference<>();
		scope.defer(() -> {
			try {
				CancellableScope child = scope.openChild();
				opened.set(child);
				child.close();
			}
			catch (IllegalStateException ex) {
				opened.set(ex);
			}
		});
		scope.close();
		// the child would outlive its parent, neither cancelled with it nor bound by its deadline
		assertThat(opened.get()).isInstanceOfSatisfying(IllegalStateException.class,
				(ex) -> assertThat(ex).hasMessageContaining("Scope " + scope.id() + " has ended"));
	}

	@Test
	void cleanupOfACancelledScopeGetsACancelledChild() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicReference<Object> opened = new AtomicReference<>();
		AtomicInteger childCleanups = new AtomicInteger();
		scope.defer(() -> {
			try (CancellableScope child = scope.openChild()) {
				child.defer(childCleanups::incrementAndGet);
				opened.set(child.cancellation().map(Cancellation::reason).orElse(null));
			}
		});
		scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
		scope.close();
		assertThat(opened.get()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
		assertThat(childCleanups).hasValue(1);
	}

	@Test
	void childOpenedAfterCloseIsRejectedButCancelledParentStillHandsOutCancelledChildren() {
		CancellableScope scope = this.root.scope().openChild();
		scope.cancel(CancellationReason.CANCELLED);
		try (CancellableScope child = scope.openChild()) {
			assertThat(child.isCancelled()).isTrue();
		}
		scope.close();
		assertThatIllegalStateException().isThrownBy(() -> scope.openChild());
	}

}
