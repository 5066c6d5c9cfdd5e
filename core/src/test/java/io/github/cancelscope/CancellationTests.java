package io.github.cancelscope;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.test.ManualScopeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for cancelling a scope: reasons, causes, listeners and the parent-child relation.
 */
class CancellationTests {

	private final CancellableScope root = CancellableScope
		.root(ScopeSettings.defaults().withClock(new ManualScopeClock()));

	@AfterEach
	void closeRoot() {
		this.root.close();
	}

	@Test
	void cancelRecordsReasonAndCause() {
		try (CancellableScope scope = this.root.openChild(null)) {
			IllegalStateException cause = new IllegalStateException("upstream failed");
			assertThat(scope.cancel(CancellationReason.SHUTDOWN, cause)).isTrue();
			assertThat(scope.view().isCancelled()).isTrue();
			assertThat(scope.cancellationReason()).contains(CancellationReason.SHUTDOWN);
			assertThat(scope.view().cancellationReason()).contains(CancellationReason.SHUTDOWN);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope.view()::throwIfCancelled)
				.satisfies((ex) -> {
					assertThat(ex.reason()).isEqualTo(CancellationReason.SHUTDOWN);
					assertThat(ex.getCause()).isSameAs(cause);
					assertThat(ex).hasMessageContaining("shutting down");
				});
		}
	}

	@Test
	void scopeThatWasNotCancelledReportsNoReason() {
		try (CancellableScope scope = this.root.openChild(null)) {
			assertThat(scope.view().isCancelled()).isFalse();
			assertThat(scope.cancellationReason()).isEmpty();
			assertThatNoException().isThrownBy(scope.view()::throwIfCancelled);
		}
	}

	@Test
	void secondCancelReturnsFalseAndKeepsTheFirstReasonAndCause() {
		try (CancellableScope scope = this.root.openChild(null)) {
			RuntimeException first = new RuntimeException("first");
			assertThat(scope.cancel(CancellationReason.CLIENT_DISCONNECTED, first)).isTrue();
			assertThat(scope.cancel(CancellationReason.DEADLINE_EXCEEDED, new RuntimeException("second"))).isFalse();
			assertThat(scope.cancel(CancellationReason.CANCELLED)).isFalse();
			assertThat(scope.cancellationReason()).contains(CancellationReason.CLIENT_DISCONNECTED);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope.view()::throwIfCancelled)
				.withCause(first);
		}
	}

	@Test
	void cancelWithoutCauseHasNoCause() {
		try (CancellableScope scope = this.root.openChild(null)) {
			scope.cancel(CancellationReason.CANCELLED);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope.view()::throwIfCancelled)
				.satisfies((ex) -> assertThat(ex.getCause()).isNull());
		}
	}

	@Test
	void listenersFireOnceInRegistrationOrderWithReasonAndCause() {
		try (CancellableScope scope = this.root.openChild(null)) {
			List<String> calls = new CopyOnWriteArrayList<>();
			IllegalStateException cause = new IllegalStateException("boom");
			for (String name : List.of("first", "second", "third")) {
				scope.view().onCancel((reason, c) -> calls.add(name + ":" + reason + ":" + (c == cause)));
			}
			scope.cancel(CancellationReason.SIBLING_FAILED, cause);
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(calls).containsExactly("first:SIBLING_FAILED:true", "second:SIBLING_FAILED:true",
					"third:SIBLING_FAILED:true");
		}
	}

	@Test
	void throwingListenerDoesNotStopTheOthersAndIsLogged() {
		try (CapturedLog log = CapturedLog.ofScopes(); CancellableScope scope = this.root.openChild(null)) {
			List<String> calls = new CopyOnWriteArrayList<>();
			IllegalStateException failure = new IllegalStateException("listener failed");
			scope.view().onCancel((reason, cause) -> calls.add("first"));
			scope.view().onCancel((reason, cause) -> {
				throw failure;
			});
			scope.view().onCancel((reason, cause) -> calls.add("third"));
			assertThat(scope.cancel(CancellationReason.CANCELLED)).isTrue();
			assertThat(calls).containsExactly("first", "third");
			assertThat(log.warnings()).anySatisfy((record) -> assertThat(record.getThrown()).isSameAs(failure));
		}
	}

	@Test
	void removedListenerDoesNotFire() {
		try (CancellableScope scope = this.root.openChild(null)) {
			List<String> calls = new CopyOnWriteArrayList<>();
			scope.view().onCancel((reason, cause) -> calls.add("kept before"));
			Registration removed = scope.view().onCancel((reason, cause) -> calls.add("removed"));
			scope.view().onCancel((reason, cause) -> calls.add("kept after"));
			removed.close();
			removed.close();
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(calls).containsExactly("kept before", "kept after");
		}
	}

	@Test
	void sameListenerRegisteredTwiceFiresTwiceUnlessOneRegistrationIsRemoved() {
		try (CancellableScope scope = this.root.openChild(null)) {
			AtomicInteger calls = new AtomicInteger();
			CancellationListener listener = (reason, cause) -> calls.incrementAndGet();
			scope.view().onCancel(listener);
			scope.view().onCancel(listener).close();
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(calls).hasValue(1);
		}
	}

	@Test
	void listenerAddedAfterCancellationFiresAtOnceOnTheCallingThread() {
		try (CancellableScope scope = this.root.openChild(null)) {
			IllegalStateException cause = new IllegalStateException("boom");
			scope.cancel(CancellationReason.DEADLINE_EXCEEDED, cause);
			AtomicReference<Thread> calledOn = new AtomicReference<>();
			AtomicReference<Throwable> seenCause = new AtomicReference<>();
			Registration registration = scope.view().onCancel((reason, c) -> {
				calledOn.set(Thread.currentThread());
				seenCause.set(c);
			});
			assertThat(calledOn).hasValue(Thread.currentThread());
			assertThat(seenCause).hasValue(cause);
			assertThatNoException().isThrownBy(registration::close);
		}
	}

	@Test
	void listenerMayCallBackIntoItsScope() {
		try (CancellableScope scope = this.root.openChild(null)) {
			List<String> calls = new CopyOnWriteArrayList<>();
			scope.view().onCancel((reason, cause) -> {
				calls.add("cancelled=" + scope.view().isCancelled());
				scope.view().onCancel((r, c) -> calls.add("nested"));
				scope.view().defer(() -> calls.add("cleanup"));
				calls.add("again=" + scope.cancel(CancellationReason.SHUTDOWN));
			});
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(calls).containsExactly("cancelled=true", "nested", "again=false");
			scope.close();
			assertThat(calls).endsWith("cleanup");
		}
	}

	@Test
	void parentListenersFireBeforeChildListeners() {
		try (CancellableScope parent = this.root.openChild(null);
				CancellableScope child = parent.openChild(null);
				CancellableScope grandchild = child.openChild(null)) {
			List<String> calls = new CopyOnWriteArrayList<>();
			grandchild.view().onCancel((reason, cause) -> calls.add("grandchild"));
			child.view().onCancel((reason, cause) -> calls.add("child"));
			parent.view().onCancel((reason, cause) -> calls.add("parent"));
			parent.cancel(CancellationReason.CANCELLED);
			assertThat(calls).containsExactly("parent", "child", "grandchild");
		}
	}

	@Test
	void childIsCancelledWithParentsReasonAndCause() {
		try (CancellableScope parent = this.root.openChild(null);
				CancellableScope child = parent.openChild(null);
				CancellableScope grandchild = child.openChild(null)) {
			AtomicReference<Throwable> childListenerCause = new AtomicReference<>();
			child.view().onCancel((reason, cause) -> childListenerCause.set(cause));
			IllegalStateException cause = new IllegalStateException("boom");
			parent.cancel(CancellationReason.CLIENT_DISCONNECTED, cause);
			for (CancellableScope scope : List.of(child, grandchild)) {
				assertThat(scope.cancellationReason()).contains(CancellationReason.CLIENT_DISCONNECTED);
				assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope.view()::throwIfCancelled)
					.withCause(cause);
			}
			assertThat(childListenerCause).hasValue(cause);
		}
	}

	@Test
	void cancellingAChildDoesNotCancelItsParentOrSiblings() {
		try (CancellableScope parent = this.root.openChild(null);
				CancellableScope child = parent.openChild(null);
				CancellableScope sibling = parent.openChild(null)) {
			child.cancel(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(parent.view().isCancelled()).isFalse();
			assertThat(sibling.view().isCancelled()).isFalse();
			assertThat(this.root.view().isCancelled()).isFalse();
		}
	}

	@Test
	void childOpenedFromCancelledParentIsBornCancelled() {
		try (CancellableScope parent = this.root.openChild(null)) {
			IllegalStateException cause = new IllegalStateException("boom");
			parent.cancel(CancellationReason.SHUTDOWN, cause);
			try (CancellableScope child = parent.openChild(null)) {
				assertThat(child.cancellationReason()).contains(CancellationReason.SHUTDOWN);
				assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(child.view()::throwIfCancelled)
					.withCause(cause);
				List<CancellationReason> fired = new CopyOnWriteArrayList<>();
				child.view().onCancel((reason, c) -> fired.add(reason));
				assertThat(fired).containsExactly(CancellationReason.SHUTDOWN);
				assertThat(child.cancel(CancellationReason.CANCELLED)).isFalse();
			}
			try (CancellableScope viaView = parent.view().openChild(null)) {
				assertThat(viaView.cancellationReason()).contains(CancellationReason.SHUTDOWN);
			}
		}
	}

	@Test
	void closedScopeCannotBeCancelledAndItsListenersNeverFire() {
		CancellableScope scope = this.root.openChild(null);
		AtomicInteger calls = new AtomicInteger();
		scope.view().onCancel((reason, cause) -> calls.incrementAndGet());
		scope.close();
		assertThat(scope.cancel(CancellationReason.CANCELLED)).isFalse();
		assertThat(scope.view().isCancelled()).isFalse();
		scope.view().onCancel((reason, cause) -> calls.incrementAndGet());
		assertThat(calls).hasValue(0);
	}

	@Test
	void closedScopeCannotOpenChildren() {
		CancellableScope scope = this.root.openChild(null);
		scope.close();
		assertThatIllegalStateException().isThrownBy(() -> scope.openChild(null)).withMessageContaining("ended");
		assertThatIllegalStateException().isThrownBy(() -> scope.view().openChild(null));
	}

	@Test
	void viewCannotCancelOrCloseItsScope() {
		try (CancellableScope scope = this.root.openChild(null)) {
			assertThat(scope.view()).isNotInstanceOf(CancellableScope.class).isNotInstanceOf(AutoCloseable.class);
		}
	}

	@Test
	void scopesHaveDistinctIds() {
		try (CancellableScope one = this.root.openChild(null); CancellableScope two = this.root.openChild(null)) {
			assertThat(one.view().id()).isNotEqualTo(two.view().id()).isNotEqualTo(this.root.view().id());
			assertThat(one.view().toString()).contains(one.view().id());
		}
	}

	@Test
	void callRunsWithTheScopeAsCurrent() {
		try (CancellableScope scope = this.root.openChild(null)) {
			assertThat(RequestScope.find()).isEmpty();
			RequestScope seen = scope.call(RequestScope::current);
			assertThat(seen).isSameAs(scope.view());
			assertThat(scope.call(RequestScope::find)).containsSame(scope.view());
			try (CancellableScope child = scope.openChild(null)) {
				assertThat(scope.call(() -> child.call(RequestScope::current))).isSameAs(child.view());
			}
			assertThat(RequestScope.find()).isEmpty();
		}
	}

	@Test
	void currentOutsideAnyScopeSaysHowToGetOne() {
		assertThatIllegalStateException().isThrownBy(RequestScope::current)
			.withMessageContaining(Thread.currentThread().getName())
			.withMessageContaining("openChild")
			.withMessageContaining("RequestScope.find()");
	}

}
