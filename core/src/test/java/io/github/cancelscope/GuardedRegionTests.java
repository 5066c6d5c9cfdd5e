package io.github.cancelscope;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tests for {@link RequestScope#abortable} and {@link RequestScope#interruptible}.
 */
class GuardedRegionTests {

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void abortableReturnsTheBodysResultAndRethrowsItsException() throws Exception {
		try (CancellableScope scope = this.root.scope().openChild()) {
			AtomicInteger aborts = new AtomicInteger();
			assertThat(scope.<String, RuntimeException>abortable("test", aborts::incrementAndGet, () -> "rows"))
				.isEqualTo("rows");
			IOException failure = new IOException("connection reset");
			assertThatThrownBy(() -> scope.abortable("test", aborts::incrementAndGet, () -> {
				throw failure;
			})).isSameAs(failure);
			assertThat(aborts).hasValue(0);
			assertThat(scope.isCancelled()).isFalse();
		}
	}

	@Test
	void cancellingAForkInsideAnAbortableRegionRunsTheAbortInsteadOfInterruptingAndInterruptsAfterTheRegion() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inRegion = new CountDownLatch(1);
			CountDownLatch aborted = new CountDownLatch(1);
			List<String> seen = new CopyOnWriteArrayList<>();
			Subtask<Object> fork = scope.fork(() -> {
				RequestScope.current().abortable("test", aborted::countDown, () -> {
					inRegion.countDown();
					Await.awaitUninterruptibly(aborted, "the abort ran");
					seen.add("interrupted inside: " + Thread.currentThread().isInterrupted());
					return null;
				});
				seen.add("interrupted after: " + Thread.currentThread().isInterrupted());
				return null;
			});
			Await.await(inRegion, "the fork entered the region");
			scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(fork.join()).isNull();
			assertThat(seen).containsExactly("interrupted inside: false", "interrupted after: true");
		}
	}

	@Test
	void nestedRegionsDeliverTheInterruptOnlyWhenTheOutermostExits() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inRegion = new CountDownLatch(1);
			CountDownLatch aborted = new CountDownLatch(2);
			List<String> seen = new CopyOnWriteArrayList<>();
			Subtask<Object> fork = scope.fork(() -> {
				RequestScope.current().abortable("test", aborted::countDown, () -> {
					RequestScope.current().abortable("test", aborted::countDown, () -> {
						inRegion.countDown();
						Await.awaitUninterruptibly(aborted, "both aborts ran");
						return null;
					});
					seen.add("between: " + Thread.currentThread().isInterrupted());
					return null;
				});
				seen.add("after: " + Thread.currentThread().isInterrupted());
				return null;
			});
			Await.await(inRegion, "the fork entered the inner region");
			scope.cancel(CancellationReason.CANCELLED);
			fork.join();
			assertThat(seen).containsExactly("between: false", "after: true");
		}
	}

	@Test
	void abortableOnTheOwnerThreadRunsTheAbortAndNeverInterrupts() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch aborted = new CountDownLatch(1);
			CountDownLatch inRegion = new CountDownLatch(1);
			Thread canceller = TestThreads.start(() -> {
				Await.await(inRegion, "the owner entered the region");
				scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
			});
			boolean interruptedInside = scope.abortable("test", aborted::countDown, () -> {
				inRegion.countDown();
				Await.awaitUninterruptibly(aborted, "the abort ran");
				return Thread.currentThread().isInterrupted();
			});
			assertThat(interruptedInside).isFalse();
			assertThat(Thread.currentThread().isInterrupted()).isFalse();
			Await.join(canceller, "the canceller ended");
		}
	}

	@Test
	void abortableOnACancelledScopeRunsNeitherBodyNorAbort() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.cancel(CancellationReason.SHUTDOWN);
			AtomicBoolean bodyRan = new AtomicBoolean();
			AtomicBoolean abortRan = new AtomicBoolean();
			assertThatExceptionOfType(ScopeCancelledException.class)
				.isThrownBy(() -> scope.abortable("test", () -> abortRan.set(true), () -> bodyRan.getAndSet(true)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.SHUTDOWN));
			assertThatExceptionOfType(ScopeCancelledException.class)
				.isThrownBy(() -> scope.interruptible("test", () -> bodyRan.getAndSet(true)));
			assertThat(bodyRan).isFalse();
			assertThat(abortRan).isFalse();
		}
	}

	@Test
	void abortThatThrowsIsLoggedAndTheRegionStillEnds() {
		try (CapturedLog log = CapturedLog.of(AbortableRegion.class.getName());
				CancellableScope scope = this.root.scope().openChild()) {
			IllegalStateException failure = new IllegalStateException("abort failed");
			String result = scope.abortable("test", () -> {
				throw failure;
			}, () -> {
				scope.cancel(CancellationReason.CANCELLED);
				return "done";
			});
			assertThat(result).isEqualTo("done");
			assertThat(log.warnings()).singleElement()
				.satisfies((record) -> assertThat(record.getThrown()).isSameAs(failure));
		}
	}

	@Test
	void abortRunsAtMostOnceAndNeverAfterTheRegionExited() throws Exception {
		List<String> problems = new CopyOnWriteArrayList<>();
		CyclicBarrier barrier = new CyclicBarrier(2);
		for (int i = 0; i < 2000; i++) {
			int iteration = i;
			boolean onFork = (i % 2 == 0);
			CancellableScope scope = this.root.scope().openChild();
			AtomicInteger aborts = new AtomicInteger();
			AtomicBoolean exited = new AtomicBoolean();
			int spins = ThreadLocalRandom.current().nextInt(200);
			Runnable abort = () -> {
				aborts.incrementAndGet();
				if (exited.get()) {
					problems.add("iteration " + iteration + ": abort ran after the region exited");
				}
			};
			CheckedCallable<Object, RuntimeException> region = () -> {
				try {
					barrier.await();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
				try {
					scope.abortable("test", abort, () -> {
						for (int s = 0; s < spins; s++) {
							Thread.onSpinWait();
						}
						if (onFork && Thread.currentThread().isInterrupted()) {
							problems.add("iteration " + iteration + ": fork interrupted inside its region");
						}
						return null;
					});
				}
				catch (ScopeCancelledException ex) {
					// cancelled before the region began
				}
				exited.set(true);
				return null;
			};
			Thread canceller = TestThreads.start(() -> {
				try {
					barrier.await();
				}
				catch (Exception ex) {
					problems.add(ex.toString());
				}
				for (int s = 0; s < ThreadLocalRandom.current().nextInt(200); s++) {
					Thread.onSpinWait();
				}
				scope.cancel(CancellationReason.CANCELLED);
			});
			if (onFork) {
				scope.fork(() -> region.call());
			}
			else {
				scope.call(region);
			}
			Await.join(canceller, "the canceller ended");
			scope.close();
			if (aborts.get() > 1) {
				problems.add("iteration " + iteration + ": abort ran " + aborts + " times");
			}
			if (Thread.interrupted()) {
				problems.add("iteration " + iteration + ": owner thread left interrupted");
			}
		}
		assertThat(problems).isEmpty();
	}

	/**
	 * Two regions of one scope register (one in the scope's slot, one in its list, in either
	 * order) while another thread cancels the scope: a region that began is always aborted, and
	 * one that did not is refused. A registration the cancel missed would leave its region waiting.
	 */
	@Test
	void cancelRacingTheRegistrationOfTwoRegionsAbortsEachRegionThatBegan() throws Exception {
		List<String> problems = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 1000 && problems.isEmpty(); i++) {
			int iteration = i;
			CancellableScope scope = this.root.scope().openChild();
			CyclicBarrier barrier = new CyclicBarrier(3);
			Runnable region = () -> {
				CountDownLatch aborted = new CountDownLatch(1);
				awaitQuietly(barrier, problems);
				try {
					scope.abortable("test", aborted::countDown, () -> {
						if (!aborted.await(10, TimeUnit.SECONDS)) {
							problems.add("iteration " + iteration + ": a region that began was not aborted in 10 s");
						}
						return null;
					});
				}
				catch (ScopeCancelledException ex) {
					// refused: the cancel came before the region began
				}
				catch (InterruptedException ex) {
					problems.add("iteration " + iteration + ": interrupted");
				}
			};
			Thread first = TestThreads.start(region);
			Thread second = TestThreads.start(region);
			awaitQuietly(barrier, problems);
			for (int s = ThreadLocalRandom.current().nextInt(300); s > 0; s--) {
				Thread.onSpinWait();
			}
			scope.cancel(CancellationReason.CANCELLED);
			Await.join(first, "the first region's thread ended");
			Await.join(second, "the second region's thread ended");
			scope.close();
		}
		assertThat(problems).isEmpty();
	}

	private static void awaitQuietly(CyclicBarrier barrier, List<String> problems) {
		try {
			barrier.await(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			problems.add("barrier: " + ex);
		}
	}

	@Test
	void interruptibleRegionDoesNotInterruptAStatementRunningInsideItAndDeliversTheInterruptAfterIt() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			List<String> seen = interruptibleAroundAStatement(scope, false);
			assertThat(seen).containsExactly("aborted", "interrupted inside the statement: false",
					"interrupted after the statement: true", "interrupted after the region: false");
		}
	}

	@Test
	void interruptibleRegionDoesNotInterruptAStatementRunningInAChildScopeInsideIt() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			List<String> seen = interruptibleAroundAStatement(scope, true);
			assertThat(seen).containsExactly("aborted", "interrupted inside the statement: false",
					"interrupted after the statement: true", "interrupted after the region: false");
		}
	}

	/**
	 * Runs a statement (an abortable region of kind "jdbc") inside an interruptible region on the
	 * calling thread, as a handler that calls a {@code @Scoped} repository from an interruptible
	 * block does, and cancels {@code scope} while the statement runs.
	 */
	private static List<String> interruptibleAroundAStatement(CancellableScope scope, boolean inChildScope) {
		List<String> seen = new CopyOnWriteArrayList<>();
		CountDownLatch inStatement = new CountDownLatch(1);
		CountDownLatch aborted = new CountDownLatch(1);
		Thread canceller = TestThreads.start(() -> {
			Await.await(inStatement, "the owner entered the statement");
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
		});
		scope.interruptible("test", () -> {
			try (CancellableScope step = inChildScope ? scope.openChild() : null) {
				RequestScope statementScope = (step != null) ? step : scope;
				statementScope.abortable("jdbc", () -> {
					seen.add("aborted");
					aborted.countDown();
				}, () -> {
					inStatement.countDown();
					Await.awaitUninterruptibly(aborted, "the statement was cancelled");
					seen.add("interrupted inside the statement: " + Thread.currentThread().isInterrupted());
					return null;
				});
			}
			catch (ScopeCancelledException ex) {
				seen.add("statement refused: " + ex);
			}
			seen.add("interrupted after the statement: " + Thread.currentThread().isInterrupted());
			return null;
		});
		seen.add("interrupted after the region: " + Thread.currentThread().isInterrupted());
		Await.join(canceller, "the canceller ended");
		return seen;
	}

	@Test
	void interruptibleRegionOnAForkDoesNotInterruptAStatementInsideItAndTheStopFollowsTheRegion() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inStatement = new CountDownLatch(1);
			CountDownLatch aborted = new CountDownLatch(1);
			List<String> seen = new CopyOnWriteArrayList<>();
			Subtask<Object> fork = scope.fork(() -> {
				RequestScope.current().interruptible("test", () -> {
					RequestScope.current().abortable("jdbc", aborted::countDown, () -> {
						inStatement.countDown();
						Await.awaitUninterruptibly(aborted, "the statement was cancelled");
						seen.add("interrupted inside the statement: " + Thread.currentThread().isInterrupted());
						return null;
					});
					seen.add("interrupted after the statement: " + Thread.currentThread().isInterrupted());
					return null;
				});
				seen.add("interrupted after the region: " + Thread.currentThread().isInterrupted());
				return null;
			});
			Await.await(inStatement, "the fork entered the statement");
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(fork.join()).isNull();
			assertThat(seen).containsExactly("interrupted inside the statement: false",
					"interrupted after the statement: true", "interrupted after the region: true");
		}
	}

	@Test
	void statementInsideAnInterruptibleRegionIsNeverInterruptedWhateverWhenTheCancellationComes() throws Exception {
		List<String> problems = new CopyOnWriteArrayList<>();
		CyclicBarrier barrier = new CyclicBarrier(2);
		for (int i = 0; i < 2000 && problems.size() < 5; i++) {
			int iteration = i;
			boolean inChildScope = (i % 2 == 0);
			int spins = ThreadLocalRandom.current().nextInt(300);
			CancellableScope scope = this.root.scope().openChild();
			Thread canceller = TestThreads.start(() -> {
				try {
					barrier.await();
				}
				catch (Exception ex) {
					problems.add(ex.toString());
				}
				for (int s = 0; s < ThreadLocalRandom.current().nextInt(300); s++) {
					Thread.onSpinWait();
				}
				scope.cancel(CancellationReason.CANCELLED);
			});
			barrier.await();
			try {
				scope.interruptible("test", () -> {
					try (CancellableScope step = inChildScope ? scope.openChild() : null) {
						RequestScope statementScope = (step != null) ? step : scope;
						statementScope.abortable("jdbc", () -> {
						}, () -> {
							if (Thread.currentThread().isInterrupted()) {
								problems.add("iteration " + iteration + ": statement started interrupted");
							}
							for (int s = 0; s < spins; s++) {
								Thread.onSpinWait();
							}
							if (Thread.currentThread().isInterrupted()) {
								problems.add("iteration " + iteration + ": statement interrupted while running");
							}
							return null;
						});
					}
					return null;
				});
			}
			catch (ScopeCancelledException ex) {
				// cancelled before a region began
			}
			Await.join(canceller, "the canceller ended");
			scope.close();
			if (Thread.interrupted()) {
				problems.add("iteration " + iteration + ": owner thread left interrupted");
			}
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void interruptibleOnTheOwnerThreadIsInterruptedByCancellationAndTheInterruptIsClearedAfter() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inRegion = new CountDownLatch(1);
			Thread canceller = TestThreads.start(() -> {
				Await.await(inRegion, "the owner entered the region");
				scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
			});
			String outcome = scope.interruptible("test", () -> {
				inRegion.countDown();
				try {
					new LinkedBlockingQueue<String>().poll(Await.SECONDS, java.util.concurrent.TimeUnit.SECONDS);
					return "not interrupted";
				}
				catch (InterruptedException ex) {
					// as Spring's RestClient does: the interrupt status stays set
					Thread.currentThread().interrupt();
					return "interrupted";
				}
			});
			assertThat(outcome).isEqualTo("interrupted");
			assertThat(Thread.currentThread().isInterrupted()).as("interrupt status after the region").isFalse();
			Await.join(canceller, "the canceller ended");
		}
	}

	@Test
	void interruptibleUnblocksAParkedThread() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inRegion = new CountDownLatch(1);
			Thread canceller = TestThreads.start(() -> {
				Await.await(inRegion, "the owner entered the region");
				scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
			});
			boolean interrupted = scope.interruptible("test", () -> {
				inRegion.countDown();
				return Await.parkUntilInterrupted();
			});
			assertThat(interrupted).isTrue();
			assertThat(Thread.currentThread().isInterrupted()).isFalse();
			Await.join(canceller, "the canceller ended");
		}
	}

	@Test
	void interruptibleKeepsAnInterruptStatusThatWasSetBefore() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			Thread.currentThread().interrupt();
			assertThat(scope.interruptible("test", () -> "quick")).isEqualTo("quick");
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
			AtomicBoolean aborted = new AtomicBoolean();
			scope.interruptible("test", () -> {
				scope.cancel(CancellationReason.CANCELLED);
				aborted.set(Thread.currentThread().isInterrupted());
				return null;
			});
			assertThat(aborted).isTrue();
			assertThat(Thread.interrupted()).as("interrupt status after a cancelled region").isTrue();
		}
	}

	@Test
	void interruptibleLeavesAnInterruptThatTheBodySetForItsOwnReasons() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.interruptible("test", () -> {
				Thread.currentThread().interrupt();
				return null;
			});
			assertThat(Thread.interrupted()).isTrue();
		}
	}

	@Test
	void interruptibleOnAForkInterruptsTheBodyAndDeliversTheStopAfterTheRegion() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inRegion = new CountDownLatch(1);
			List<String> seen = new CopyOnWriteArrayList<>();
			Subtask<Object> fork = scope.fork(() -> {
				RequestScope.current().interruptible("test", () -> {
					inRegion.countDown();
					try {
						Await.blockUntilInterrupted();
					}
					catch (InterruptedException ex) {
						seen.add("body interrupted");
					}
					return null;
				});
				seen.add("interrupted after: " + Thread.currentThread().isInterrupted());
				return null;
			});
			Await.await(inRegion, "the fork entered the region");
			scope.cancel(CancellationReason.CANCELLED);
			fork.join();
			assertThat(seen).containsExactly("body interrupted", "interrupted after: true");
		}
	}

	@Test
	void regionOnAChildScopeOfAForkIsAbortedWhenTheForksScopeIsCancelled() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inRegion = new CountDownLatch(1);
			CountDownLatch aborted = new CountDownLatch(1);
			List<String> seen = new CopyOnWriteArrayList<>();
			Subtask<Object> fork = scope.fork(() -> {
				try (CancellableScope step = RequestScope.current().openChild()) {
					step.abortable("test", aborted::countDown, () -> {
						inRegion.countDown();
						Await.awaitUninterruptibly(aborted, "the abort ran");
						seen.add("interrupted inside: " + Thread.currentThread().isInterrupted());
						return null;
					});
				}
				seen.add("interrupted after: " + Thread.currentThread().isInterrupted());
				return null;
			});
			Await.await(inRegion, "the fork entered the region");
			scope.cancel(CancellationReason.CANCELLED);
			fork.join();
			assertThat(seen).containsExactly("interrupted inside: false", "interrupted after: true");
		}
	}

	@Test
	void closingAChildScopeInsideAnInterruptedRegionKeepsTheRegionsInterrupt() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			List<String> seen = new CopyOnWriteArrayList<>();
			scope.interruptible("test", () -> {
				CancellableScope step = scope.openChild();
				// cancelled while the step runs code that does not block: the interrupt stays pending
				scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
				step.close();
				seen.add("interrupted after the step: " + Thread.currentThread().isInterrupted());
				return null;
			});
			seen.add("interrupted after the region: " + Thread.currentThread().isInterrupted());
			assertThat(seen).containsExactly("interrupted after the step: true", "interrupted after the region: false");
		}
	}

	@Test
	void closingAChildInsideTheRegionOfAStoppedForkDoesNotInterruptTheRegion() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			CountDownLatch inRegion = new CountDownLatch(1);
			CountDownLatch aborted = new CountDownLatch(1);
			List<String> seen = new CopyOnWriteArrayList<>();
			Subtask<Object> fork = scope.fork(() -> {
				RequestScope.current().abortable("test", aborted::countDown, () -> {
					CancellableScope step = RequestScope.current().openChild();
					inRegion.countDown();
					Await.awaitUninterruptibly(aborted, "the abort ran");
					step.close();
					seen.add("interrupted inside: " + Thread.currentThread().isInterrupted());
					return null;
				});
				seen.add("interrupted after: " + Thread.currentThread().isInterrupted());
				return null;
			});
			Await.await(inRegion, "the fork entered the region");
			scope.cancel(CancellationReason.CANCELLED);
			fork.join();
			assertThat(seen).containsExactly("interrupted inside: false", "interrupted after: true");
		}
	}

	@Test
	void stoppedForkThatClosesChildScopesWhileBeingStoppedKeepsItsInterrupt() throws Exception {
		List<String> problems = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 500; i++) {
			int iteration = i;
			CancellableScope scope = this.root.scope().openChild();
			CountDownLatch running = new CountDownLatch(1);
			Subtask<Object> fork = scope.fork(() -> {
				running.countDown();
				while (!RequestScope.current().isCancelled()) {
					RequestScope.current().openChild().close();
				}
				// the stop may still be on its way
				if (!Await.parkUntilInterrupted()) {
					problems.add("iteration " + iteration + ": the stopped fork lost its interrupt");
				}
				return null;
			});
			Await.await(running, "the fork started");
			scope.cancel(CancellationReason.CANCELLED);
			try {
				fork.join();
			}
			catch (ScopeCancelledException ex) {
				problems.add("iteration " + iteration + ": " + ex);
			}
			scope.close();
			if (problems.size() > 3) {
				break;
			}
		}
		assertThat(problems).isEmpty();
	}

}
