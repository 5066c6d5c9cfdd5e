package io.github.cancelscope;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
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
 * Tests for {@link RequestScope#defer}.
 */
class DeferTests {

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void cleanupsRunLastRegisteredFirstEachExactlyOnce() {
		List<String> ran = new CopyOnWriteArrayList<>();
		CancellableScope scope = this.root.scope().openChild();
		scope.defer(() -> ran.add("first"));
		scope.defer(() -> ran.add("second"));
		scope.defer(() -> ran.add("third"));
		assertThat(ran).isEmpty();
		scope.close();
		scope.close();
		assertThat(ran).containsExactly("third", "second", "first");
	}

	@Test
	void cleanupsRunWhenTheScopeWasCancelled() {
		List<String> ran = new CopyOnWriteArrayList<>();
		CancellableScope scope = this.root.scope().openChild();
		scope.defer(() -> ran.add("cleanup"));
		scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
		assertThat(ran).isEmpty();
		scope.close();
		assertThat(ran).containsExactly("cleanup");
	}

	@Test
	void everyCleanupRunsAndTheFirstFailureIsThrownWithTheOthersSuppressed() {
		List<String> ran = new CopyOnWriteArrayList<>();
		IllegalStateException registeredFirst = new IllegalStateException("registered first");
		IllegalArgumentException registeredSecond = new IllegalArgumentException("registered second");
		CancellableScope scope = this.root.scope().openChild();
		scope.defer(() -> {
			ran.add("first");
			throw registeredFirst;
		});
		scope.defer(() -> ran.add("second, fine"));
		scope.defer(() -> {
			ran.add("third");
			throw registeredSecond;
		});
		scope.defer(() -> ran.add("fourth, fine"));
		assertThatThrownBy(scope::close).isSameAs(registeredSecond);
		assertThat(registeredSecond.getSuppressed()).containsExactly(registeredFirst);
		assertThat(ran).containsExactly("fourth, fine", "third", "second, fine", "first");
	}

	@Test
	void checkedCleanupFailureIsWrappedInScopeCleanupExceptionThatCarriesTheOthersSuppressed() {
		IOException checked = new IOException("socket close failed");
		IllegalStateException unchecked = new IllegalStateException("later failure");
		CancellableScope scope = this.root.scope().openChild();
		scope.defer(() -> {
			throw unchecked;
		});
		scope.defer(() -> {
			throw checked;
		});
		assertThatExceptionOfType(ScopeCleanupException.class).isThrownBy(scope::close)
			.withCause(checked)
			.withMessageContaining(scope.id())
			.satisfies((ex) -> assertThat(ex.getSuppressed()).containsExactly(unchecked));
	}

	@Test
	void errorFromACleanupIsThrownAsIsAfterTheOthersRan() {
		AssertionError error = new AssertionError("cleanup error");
		AtomicBoolean otherRan = new AtomicBoolean();
		CancellableScope scope = this.root.scope().openChild();
		scope.defer(() -> otherRan.set(true));
		scope.defer(() -> {
			throw error;
		});
		assertThatThrownBy(scope::close).isSameAs(error);
		assertThat(otherRan).isTrue();
	}

	@Test
	void deferAfterCloseRunsAtOnceOnTheCallingThread() throws Exception {
		CancellableScope scope = this.root.scope().openChild();
		scope.close();
		AtomicReference<Thread> ranOn = new AtomicReference<>();
		scope.defer(() -> ranOn.set(Thread.currentThread()));
		assertThat(ranOn).hasValue(Thread.currentThread());
		SQLException checked = new SQLException("close failed");
		assertThatExceptionOfType(ScopeCleanupException.class).isThrownBy(() -> scope.defer(() -> {
			throw checked;
		})).withCause(checked);
		IllegalStateException unchecked = new IllegalStateException("close failed");
		assertThatThrownBy(() -> scope.defer(() -> {
			throw unchecked;
		})).isSameAs(unchecked);
	}

	@Test
	void cleanupDeferredByACleanupRunsToo() {
		List<String> ran = new CopyOnWriteArrayList<>();
		CancellableScope scope = this.root.scope().openChild();
		scope.defer(() -> ran.add("first"));
		scope.defer(() -> {
			ran.add("second");
			scope.defer(() -> ran.add("added by second"));
		});
		scope.close();
		assertThat(ran).containsExactly("second", "added by second", "first");
	}

	@Test
	void cleanupsRunAfterForksEnded() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicBoolean forkEnded = new AtomicBoolean();
		AtomicReference<Boolean> forkEndedWhenCleanupRan = new AtomicReference<>();
		AtomicReference<Thread> forkThread = new AtomicReference<>();
		AtomicReference<Boolean> forkThreadAliveWhenCleanupRan = new AtomicReference<>();
		CountDownLatch waiting = new CountDownLatch(1);
		scope.defer(() -> {
			forkEndedWhenCleanupRan.set(forkEnded.get());
			forkThreadAliveWhenCleanupRan.set(forkThread.get().isAlive());
		});
		scope.fork(() -> {
			forkThread.set(Thread.currentThread());
			waiting.countDown();
			try {
				Await.blockUntilInterrupted();
			}
			finally {
				forkEnded.set(true);
			}
			return null;
		});
		Await.await(waiting, "the fork started");
		scope.close();
		assertThat(forkEndedWhenCleanupRan).hasValue(true);
		if (TestThreads.forkThreadsEndWithTasks(scope)) {
			assertThat(forkThreadAliveWhenCleanupRan).hasValue(false);
		}
	}

	@Test
	void cleanupDeferredByAForkRunsWhenTheScopeCloses() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicInteger cleanups = new AtomicInteger();
		scope.fork(() -> {
			RequestScope.current().defer(cleanups::incrementAndGet);
			return null;
		}).join();
		assertThat(cleanups).hasValue(0);
		scope.close();
		assertThat(cleanups).hasValue(1);
	}

	@Test
	void deferRacingCloseRunsEveryCleanupExactlyOnce() throws Exception {
		CyclicBarrier barrier = new CyclicBarrier(2);
		List<String> problems = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 500 && problems.isEmpty(); i++) {
			int iteration = i;
			CancellableScope scope = this.root.scope().openChild();
			Queue<AtomicInteger> cleanups = new ConcurrentLinkedQueue<>();
			for (int j = 0; j < 3; j++) {
				AtomicInteger early = new AtomicInteger();
				cleanups.add(early);
				scope.defer(early::incrementAndGet);
			}
			// keeps deferring while the scope closes, until a cleanup runs at once
			Thread deferrer = TestThreads.start(() -> {
				try {
					barrier.await();
					for (;;) {
						AtomicInteger racing = new AtomicInteger();
						cleanups.add(racing);
						scope.defer(racing::incrementAndGet);
						if (racing.get() > 0) {
							return;
						}
					}
				}
				catch (Exception ex) {
					problems.add(ex.toString());
				}
			});
			barrier.await();
			scope.close();
			Await.join(deferrer, "the deferring thread ended");
			long wrong = cleanups.stream().filter((runs) -> runs.get() != 1).count();
			if (wrong > 0) {
				problems.add("iteration " + iteration + ": " + wrong + " of " + cleanups.size()
						+ " cleanups did not run exactly once");
			}
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void manyCleanupsAllRun() {
		CancellableScope scope = this.root.scope().openChild();
		List<AtomicInteger> counters = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			AtomicInteger counter = new AtomicInteger();
			counters.add(counter);
			scope.defer(counter::incrementAndGet);
		}
		scope.close();
		assertThat(counters).allSatisfy((counter) -> assertThat(counter).hasValue(1));
	}

}
