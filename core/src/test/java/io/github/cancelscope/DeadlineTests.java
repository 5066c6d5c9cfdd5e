package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for deadlines, driven by a {@link ManualScopeClock} so that none of them sleeps.
 */
class DeadlineTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void scopeWithoutTimeoutHasNoDeadlineAndNoTimer() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			assertThat(scope.deadline()).isEmpty();
			assertThat(scope.remaining()).isEmpty();
			assertThat(this.root.scope().deadline()).isEmpty();
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

	@Test
	void deadlineCountsFromWhenTheScopeOpens() {
		this.root.clock().advance(Duration.ofSeconds(5));
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofMillis(1500))) {
			assertThat(scope.deadline()).contains(START.plusMillis(6500));
			assertThat(scope.remaining()).contains(Duration.ofMillis(1500));
		}
	}

	@Test
	void childDeadlineIsItsOwnWhenEarlierThanItsParents() {
		try (CancellableScope parent = this.root.scope().openChild(Duration.ofSeconds(2));
				CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
			assertThat(child.deadline()).contains(START.plusSeconds(1));
			assertThat(child.remaining()).contains(Duration.ofSeconds(1));
			assertThat(parent.deadline()).contains(START.plusSeconds(2));
			// the child armed its parent's timer; its own waits for something to hear it
			assertThat(this.root.clock().pendingTimers()).isEqualTo(1);
			child.onCancel((cancellation) -> {
			});
			assertThat(this.root.clock().pendingTimers()).isEqualTo(2);
		}
	}

	@Test
	void childDeadlineIsItsParentsWhenThatIsEarlierAndTheChildSchedulesNoTimerOfItsOwn() {
		try (CancellableScope parent = this.root.scope().openChild(Duration.ofSeconds(1))) {
			this.root.clock().advance(Duration.ofMillis(300));
			try (CancellableScope child = parent.openChild(Duration.ofSeconds(5))) {
				assertThat(child.deadline()).contains(START.plusSeconds(1));
				assertThat(child.remaining()).contains(Duration.ofMillis(700));
				assertThat(this.root.clock().pendingTimers()).isEqualTo(1);
			}
		}
	}

	@Test
	void childWithoutTimeoutInheritsItsParentsDeadline() {
		try (CancellableScope parent = this.root.scope().openChild(Duration.ofSeconds(3));
				CancellableScope child = parent.openChild();
				CancellableScope grandchild = child.openChild()) {
			assertThat(grandchild.deadline()).contains(START.plusSeconds(3));
			assertThat(this.root.clock().pendingTimers()).isEqualTo(1);
		}
	}

	@Test
	void expiryCancelsWithDeadlineExceeded() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(1))) {
			List<CancellationReason> fired = new CopyOnWriteArrayList<>();
			scope.onCancel((cancellation) -> fired.add(cancellation.reason()));
			this.root.clock().advance(Duration.ofMillis(999));
			assertThat(scope.isCancelled()).isFalse();
			this.root.clock().advance(Duration.ofMillis(1));
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.satisfies((ex) -> {
					assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
					assertThat(ex.getCause()).isNull();
				});
			assertThat(fired).containsExactly(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

	@Test
	void parentExpiryCancelsItsChildrenWithDeadlineExceeded() {
		try (CancellableScope parent = this.root.scope().openChild(Duration.ofSeconds(1));
				CancellableScope child = parent.openChild(Duration.ofSeconds(10));
				CancellableScope grandchild = child.openChild()) {
			this.root.clock().advance(Duration.ofSeconds(1));
			assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(grandchild.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(this.root.scope().isCancelled()).isFalse();
		}
	}

	@Test
	void childExpiryLeavesItsParentAlone() {
		try (CancellableScope parent = this.root.scope().openChild(Duration.ofSeconds(10));
				CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
			this.root.clock().advance(Duration.ofSeconds(1));
			assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(parent.isCancelled()).isFalse();
			assertThat(this.root.clock().pendingTimers()).isEqualTo(1);
		}
	}

	@Test
	void remainingCountsDownAndIsNeverNegative() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(1))) {
			this.root.clock().advance(Duration.ofMillis(400));
			assertThat(scope.remaining()).contains(Duration.ofMillis(600));
			this.root.clock().advance(Duration.ofSeconds(5));
			assertThat(scope.remaining()).contains(Duration.ZERO);
			assertThat(scope.deadline()).contains(START.plusSeconds(1));
		}
	}

	@Test
	void scopeClosedBeforeItsDeadlineLeavesNoTimer() {
		List<CancellationReason> fired = new CopyOnWriteArrayList<>();
		try (CancellableScope parent = this.root.scope().openChild(Duration.ofSeconds(2))) {
			try (CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
				child.onCancel((cancellation) -> fired.add(cancellation.reason()));
				assertThat(this.root.clock().pendingTimers()).isEqualTo(2);
			}
			assertThat(this.root.clock().pendingTimers()).isEqualTo(1);
		}
		assertThat(this.root.clock().pendingTimers()).isZero();
		this.root.clock().advance(Duration.ofSeconds(3));
		assertThat(fired).isEmpty();
	}

	@Test
	void cancelledScopeReleasesItsTimer() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(1))) {
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
			assertThat(this.root.clock().pendingTimers()).isZero();
			this.root.clock().advance(Duration.ofSeconds(1));
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.CLIENT_DISCONNECTED);
		}
	}

	@Test
	void childOfCancelledParentSchedulesNoTimer() {
		try (CancellableScope parent = this.root.scope().openChild()) {
			parent.cancel(CancellationReason.CANCELLED);
			try (CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
				assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.CANCELLED);
				assertThat(this.root.clock().pendingTimers()).isZero();
			}
		}
	}

	@Test
	void zeroTimeoutCancelsAtOnce() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ZERO)) {
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(scope.remaining()).contains(Duration.ZERO);
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

	@Test
	void negativeTimeoutCancelsAtOnce() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofMillis(-5))) {
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(scope.remaining()).contains(Duration.ZERO);
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

	@Test
	void timeoutTooLargeToRepresentMeansNoDeadlineOfItsOwn() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(Long.MAX_VALUE))) {
			assertThat(scope.isCancelled()).isFalse();
			assertThat(scope.deadline()).isEmpty();
			assertThat(scope.remaining()).isEmpty();
			try (CancellableScope child = scope.openChild(Duration.ofSeconds(1))) {
				assertThat(child.deadline()).contains(START.plusSeconds(1));
			}
		}
		try (CancellableScope parent = this.root.scope().openChild(Duration.ofSeconds(1));
				CancellableScope child = parent.openChild(Duration.ofSeconds(Long.MAX_VALUE))) {
			assertThat(child.deadline()).contains(START.plusSeconds(1));
		}
	}

	@Test
	void passedDeadlineCancelsTheScopeAsSoonAsAnyoneAsksBeforeItsTimerFires() {
		StalledTimerClock clock = new StalledTimerClock(START);
		try (CancellableScope stalledRoot = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
				CancellableScope scope = stalledRoot.openChild(Duration.ofSeconds(1))) {
			List<Cancellation> fired = new CopyOnWriteArrayList<>();
			scope.onCancel(fired::add);
			clock.advance(Duration.ofMillis(999));
			assertThat(scope.isCancelled()).isFalse();
			clock.advance(Duration.ofMillis(1));
			assertThat(scope.isCancelled()).isTrue();
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(fired).as("the scope cancelled itself, listeners included").singleElement().satisfies((c) -> {
				assertThat(c.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
				assertThat(c.cause()).isNull();
			});
			assertThat(scope.cancel(CancellationReason.CANCELLED)).isFalse();
			assertThat(stalledRoot.isCancelled()).isFalse();
		}
	}

	@Test
	void passedDeadlineMakesThrowIfCancelledThrowDeadlineExceededBeforeItsTimerFires() {
		StalledTimerClock clock = new StalledTimerClock(START);
		try (CancellableScope stalledRoot = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
				CancellableScope scope = stalledRoot.openChild(Duration.ofSeconds(1));
				CancellableScope child = scope.openChild()) {
			clock.advance(Duration.ofSeconds(1));
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.satisfies((ex) -> {
					assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
					assertThat(ex.getCause()).isNull();
				});
			assertThat(child.cancellation()).as("cancelled with its parent")
				.map(Cancellation::reason)
				.contains(CancellationReason.DEADLINE_EXCEEDED);
		}
	}

	@Test
	void forkIntoAScopeWhoseDeadlinePassedIsRefusedBeforeItsTimerFires() {
		StalledTimerClock clock = new StalledTimerClock(START);
		try (CancellableScope stalledRoot = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
				CancellableScope scope = stalledRoot.openChild(Duration.ofSeconds(1))) {
			clock.advance(Duration.ofSeconds(1));
			AtomicBoolean ran = new AtomicBoolean();
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(() -> scope.fork(() -> ran.getAndSet(true)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED));
			assertThat(ran).isFalse();
		}
	}

	@Test
	void regionInAScopeWhoseDeadlinePassedIsRefusedBeforeItsArmedTimerFires() {
		StalledTimerClock clock = new StalledTimerClock(START);
		try (CancellableScope stalledRoot = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
				CancellableScope scope = stalledRoot.openChild(Duration.ofSeconds(1))) {
			// the first region arms the deadline's timer, which this clock never fires
			assertThat(scope.abortable("test", () -> {
			}, () -> "ran")).isEqualTo("ran");
			clock.advance(Duration.ofSeconds(1));
			AtomicBoolean ran = new AtomicBoolean();
			assertThatExceptionOfType(ScopeCancelledException.class)
				.isThrownBy(() -> scope.abortable("test", () -> {
				}, () -> ran.getAndSet(true)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED));
			assertThat(ran).as("the region's body ran").isFalse();
		}
	}

	@Test
	void childSeesTheDeadlineItSharesWithItsParentPassBeforeEitherTimerFires() {
		StalledTimerClock clock = new StalledTimerClock(START);
		try (CancellableScope stalledRoot = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
				CancellableScope parent = stalledRoot.openChild(Duration.ofSeconds(1));
				CancellableScope child = parent.openChild(Duration.ofSeconds(5))) {
			clock.advance(Duration.ofSeconds(1));
			assertThat(child.isCancelled()).isTrue();
			assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(parent.isCancelled()).isTrue();
		}
	}

	@Test
	void systemClockExpiresDeadlines() {
		CancellableScope systemRoot = CancellableScope.root(ScopeSettings.defaults());
		try (systemRoot; CancellableScope scope = systemRoot.openChild(Duration.ofMillis(1))) {
			CountDownLatch cancelled = new CountDownLatch(1);
			AtomicReference<CancellationReason> firedWith = new AtomicReference<>();
			scope.onCancel((cancellation) -> {
				firedWith.set(cancellation.reason());
				cancelled.countDown();
			});
			Await.await(cancelled, "the system clock expired the deadline");
			assertThat(firedWith).hasValue(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(scope.remaining()).contains(Duration.ZERO);
		}
	}

	@Test
	void scopeThatRegistersNothingArmsNoTimerYetSeesItsDeadlinePass() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(1))) {
			assertThat(this.root.clock().pendingTimers()).isZero();
			this.root.clock().advance(Duration.ofSeconds(1));
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

	@Test
	void firstListenerArmsTheTimerThatCancelsAtTheDeadline() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(1))) {
			List<CancellationReason> heard = new CopyOnWriteArrayList<>();
			scope.onCancel((cancellation) -> heard.add(cancellation.reason()));
			scope.onCancel((cancellation) -> heard.add(cancellation.reason()));
			assertThat(this.root.clock().pendingTimers()).isOne();
			this.root.clock().advance(Duration.ofSeconds(1));
			assertThat(heard).containsExactly(CancellationReason.DEADLINE_EXCEEDED, CancellationReason.DEADLINE_EXCEEDED);
		}
		assertThat(this.root.clock().pendingTimers()).isZero();
	}

	@Test
	void listenerAddedAfterTheDeadlinePassedUnnoticedIsToldAtOnce() {
		try (CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(1))) {
			this.root.clock().advance(Duration.ofSeconds(2));
			AtomicReference<CancellationReason> heard = new AtomicReference<>();
			scope.onCancel((cancellation) -> heard.set(cancellation.reason()));
			assertThat(heard).hasValue(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

	@Test
	void closingDisarmsTheTimerAndCancellingBeforeArmingArmsNone() {
		CancellableScope armed = this.root.scope().openChild(Duration.ofSeconds(1));
		armed.onCancel((cancellation) -> {
		});
		assertThat(this.root.clock().pendingTimers()).isOne();
		armed.close();
		assertThat(this.root.clock().pendingTimers()).isZero();
		try (CancellableScope cancelled = this.root.scope().openChild(Duration.ofSeconds(1))) {
			cancelled.cancel(CancellationReason.CANCELLED);
			cancelled.onCancel((cancellation) -> {
			});
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

	@Test
	void manyThreadsRegisteringAtOnceArmOneTimerAndACancelAmongThemLeavesNone() throws Exception {
		for (int round = 0; round < 200; round++) {
			CancellableScope scope = this.root.scope().openChild(Duration.ofSeconds(1));
			boolean cancelAmongThem = round % 2 == 1;
			int threads = 4;
			CountDownLatch start = new CountDownLatch(1);
			List<Thread> registering = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				boolean cancels = cancelAmongThem && i == 0;
				Thread thread = new Thread(() -> {
					Await.await(start, "the start signal");
					if (cancels) {
						scope.cancel(CancellationReason.CANCELLED);
					}
					else {
						scope.onCancel((cancellation) -> {
						});
					}
				});
				thread.start();
				registering.add(thread);
			}
			start.countDown();
			for (Thread thread : registering) {
				thread.join(10_000);
				assertThat(thread.isAlive()).as("a registering thread finished").isFalse();
			}
			assertThat(this.root.clock().pendingTimers()).as("timers armed in round " + round)
				.isEqualTo(cancelAmongThem ? 0 : 1);
			scope.close();
			assertThat(this.root.clock().pendingTimers()).isZero();
		}
	}

}
