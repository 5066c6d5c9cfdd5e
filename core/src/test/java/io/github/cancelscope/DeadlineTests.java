package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.test.ManualScopeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for deadlines, driven by a {@link ManualScopeClock} so that none of them sleeps.
 */
class DeadlineTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private final ManualScopeClock clock = new ManualScopeClock(START);

	private final CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withClock(this.clock));

	@AfterEach
	void closeRoot() {
		this.root.close();
	}

	@Test
	void scopeWithoutTimeoutHasNoDeadlineAndNoTimer() {
		try (CancellableScope scope = this.root.openChild(null)) {
			assertThat(scope.view().deadline()).isEmpty();
			assertThat(scope.view().remaining()).isEmpty();
			assertThat(this.root.view().deadline()).isEmpty();
			assertThat(this.clock.pendingTimers()).isZero();
		}
	}

	@Test
	void deadlineCountsFromWhenTheScopeOpens() {
		this.clock.advance(Duration.ofSeconds(5));
		try (CancellableScope scope = this.root.openChild(Duration.ofMillis(1500))) {
			assertThat(scope.view().deadline()).contains(START.plusMillis(6500));
			assertThat(scope.view().remaining()).contains(Duration.ofMillis(1500));
		}
	}

	@Test
	void childDeadlineIsItsOwnWhenEarlierThanItsParents() {
		try (CancellableScope parent = this.root.openChild(Duration.ofSeconds(2));
				CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
			assertThat(child.view().deadline()).contains(START.plusSeconds(1));
			assertThat(child.view().remaining()).contains(Duration.ofSeconds(1));
			assertThat(parent.view().deadline()).contains(START.plusSeconds(2));
			assertThat(this.clock.pendingTimers()).isEqualTo(2);
		}
	}

	@Test
	void childDeadlineIsItsParentsWhenThatIsEarlierAndTheChildSchedulesNoTimerOfItsOwn() {
		try (CancellableScope parent = this.root.openChild(Duration.ofSeconds(1))) {
			this.clock.advance(Duration.ofMillis(300));
			try (CancellableScope child = parent.openChild(Duration.ofSeconds(5))) {
				assertThat(child.view().deadline()).contains(START.plusSeconds(1));
				assertThat(child.view().remaining()).contains(Duration.ofMillis(700));
				assertThat(this.clock.pendingTimers()).isEqualTo(1);
			}
		}
	}

	@Test
	void childWithoutTimeoutInheritsItsParentsDeadline() {
		try (CancellableScope parent = this.root.openChild(Duration.ofSeconds(3));
				CancellableScope child = parent.openChild(null);
				CancellableScope grandchild = child.view().openChild(null)) {
			assertThat(grandchild.view().deadline()).contains(START.plusSeconds(3));
			assertThat(this.clock.pendingTimers()).isEqualTo(1);
		}
	}

	@Test
	void expiryCancelsWithDeadlineExceeded() {
		try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(1))) {
			List<CancellationReason> fired = new CopyOnWriteArrayList<>();
			scope.view().onCancel((reason, cause) -> fired.add(reason));
			this.clock.advance(Duration.ofMillis(999));
			assertThat(scope.view().isCancelled()).isFalse();
			this.clock.advance(Duration.ofMillis(1));
			assertThat(scope.cancellationReason()).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope.view()::throwIfCancelled)
				.satisfies((ex) -> {
					assertThat(ex.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
					assertThat(ex.getCause()).isNull();
				});
			assertThat(fired).containsExactly(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(this.clock.pendingTimers()).isZero();
		}
	}

	@Test
	void parentExpiryCancelsItsChildrenWithDeadlineExceeded() {
		try (CancellableScope parent = this.root.openChild(Duration.ofSeconds(1));
				CancellableScope child = parent.openChild(Duration.ofSeconds(10));
				CancellableScope grandchild = child.openChild(null)) {
			this.clock.advance(Duration.ofSeconds(1));
			assertThat(child.cancellationReason()).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(grandchild.cancellationReason()).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(this.root.view().isCancelled()).isFalse();
		}
	}

	@Test
	void childExpiryLeavesItsParentAlone() {
		try (CancellableScope parent = this.root.openChild(Duration.ofSeconds(10));
				CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
			this.clock.advance(Duration.ofSeconds(1));
			assertThat(child.cancellationReason()).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(parent.view().isCancelled()).isFalse();
			assertThat(this.clock.pendingTimers()).isEqualTo(1);
		}
	}

	@Test
	void remainingCountsDownAndIsNeverNegative() {
		try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(1))) {
			this.clock.advance(Duration.ofMillis(400));
			assertThat(scope.view().remaining()).contains(Duration.ofMillis(600));
			this.clock.advance(Duration.ofSeconds(5));
			assertThat(scope.view().remaining()).contains(Duration.ZERO);
			assertThat(scope.view().deadline()).contains(START.plusSeconds(1));
		}
	}

	@Test
	void scopeClosedBeforeItsDeadlineLeavesNoTimer() {
		List<CancellationReason> fired = new CopyOnWriteArrayList<>();
		try (CancellableScope parent = this.root.openChild(Duration.ofSeconds(2))) {
			try (CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
				child.view().onCancel((reason, cause) -> fired.add(reason));
				assertThat(this.clock.pendingTimers()).isEqualTo(2);
			}
			assertThat(this.clock.pendingTimers()).isEqualTo(1);
		}
		assertThat(this.clock.pendingTimers()).isZero();
		this.clock.advance(Duration.ofSeconds(3));
		assertThat(fired).isEmpty();
	}

	@Test
	void cancelledScopeReleasesItsTimer() {
		try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(1))) {
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
			assertThat(this.clock.pendingTimers()).isZero();
			this.clock.advance(Duration.ofSeconds(1));
			assertThat(scope.cancellationReason()).contains(CancellationReason.CLIENT_DISCONNECTED);
		}
	}

	@Test
	void childOfCancelledParentSchedulesNoTimer() {
		try (CancellableScope parent = this.root.openChild(null)) {
			parent.cancel(CancellationReason.CANCELLED);
			try (CancellableScope child = parent.openChild(Duration.ofSeconds(1))) {
				assertThat(child.cancellationReason()).contains(CancellationReason.CANCELLED);
				assertThat(this.clock.pendingTimers()).isZero();
			}
		}
	}

	@Test
	void zeroTimeoutCancelsAtOnce() {
		try (CancellableScope scope = this.root.openChild(Duration.ZERO)) {
			assertThat(scope.cancellationReason()).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(scope.view().remaining()).contains(Duration.ZERO);
			assertThat(this.clock.pendingTimers()).isZero();
		}
	}

	@Test
	void negativeTimeoutCancelsAtOnce() {
		try (CancellableScope scope = this.root.openChild(Duration.ofMillis(-5))) {
			assertThat(scope.cancellationReason()).contains(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(scope.view().remaining()).contains(Duration.ZERO);
			assertThat(this.clock.pendingTimers()).isZero();
		}
	}

	@Test
	void timeoutTooLargeToRepresentMeansNoDeadlineOfItsOwn() {
		try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(Long.MAX_VALUE))) {
			assertThat(scope.view().isCancelled()).isFalse();
			assertThat(scope.view().deadline()).isEmpty();
			assertThat(scope.view().remaining()).isEmpty();
			try (CancellableScope child = scope.openChild(Duration.ofSeconds(1))) {
				assertThat(child.view().deadline()).contains(START.plusSeconds(1));
			}
		}
		try (CancellableScope parent = this.root.openChild(Duration.ofSeconds(1));
				CancellableScope child = parent.openChild(Duration.ofSeconds(Long.MAX_VALUE))) {
			assertThat(child.view().deadline()).contains(START.plusSeconds(1));
		}
	}

	@Test
	void systemClockExpiresDeadlines() {
		CancellableScope systemRoot = CancellableScope.root(ScopeSettings.defaults());
		try (systemRoot; CancellableScope scope = systemRoot.openChild(Duration.ofMillis(1))) {
			CountDownLatch cancelled = new CountDownLatch(1);
			AtomicReference<CancellationReason> firedWith = new AtomicReference<>();
			scope.view().onCancel((reason, cause) -> {
				firedWith.set(reason);
				cancelled.countDown();
			});
			Await.await(cancelled, "the system clock expired the deadline");
			assertThat(firedWith).hasValue(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(scope.view().remaining()).contains(Duration.ZERO);
		}
	}

}
