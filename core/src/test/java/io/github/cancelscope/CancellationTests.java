package io.github.cancelscope;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for cancelling a scope: reasons, causes, listeners and the parent-child relation.
 */
class CancellationTests {

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void cancelRecordsReasonAndCause() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IllegalStateException cause = new IllegalStateException("upstream failed");
			assertThat(scope.cancel(CancellationReason.SHUTDOWN, cause)).isTrue();
			assertThat(scope.isCancelled()).isTrue();
			assertThat(scope.cancellation()).hasValueSatisfying((cancellation) -> {
				assertThat(cancellation.reason()).isEqualTo(CancellationReason.SHUTDOWN);
				assertThat(cancellation.cause()).isSameAs(cause);
			});
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.satisfies((ex) -> {
					assertThat(ex.reason()).isEqualTo(CancellationReason.SHUTDOWN);
					assertThat(ex.getCause()).isSameAs(cause);
					assertThat(ex).hasMessageContaining("shutting down");
				});
		}
	}

	@Test
	void scopeThatWasNotCancelledReportsNoReason() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			assertThat(scope.isCancelled()).isFalse();
			assertThat(scope.cancellation()).isEmpty();
			assertThatNoException().isThrownBy(scope::throwIfCancelled);
		}
	}

	@Test
	void secondCancelReturnsFalseAndKeepsTheFirstReasonAndCause() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			RuntimeException first = new RuntimeException("first");
			assertThat(scope.cancel(CancellationReason.CLIENT_DISCONNECTED, first)).isTrue();
			assertThat(scope.cancel(CancellationReason.DEADLINE_EXCEEDED, new RuntimeException("second"))).isFalse();
			assertThat(scope.cancel(CancellationReason.CANCELLED)).isFalse();
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.CLIENT_DISCONNECTED);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.withCause(first);
		}
	}

	@Test
	void cancelWithoutCauseHasNoCause() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			scope.cancel(CancellationReason.CANCELLED);
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.satisfies((ex) -> assertThat(ex.getCause()).isNull());
		}
	}

	@Test
	void listenersFireOnceInRegistrationOrderWithReasonAndCause() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			List<String> calls = new CopyOnWriteArrayList<>();
			IllegalStateException cause = new IllegalStateException("boom");
			for (String name : List.of("first", "second", "third")) {
				scope.onCancel((cancellation) -> calls
					.add(name + ":" + cancellation.reason() + ":" + (cancellation.cause() == cause)));
			}
			scope.cancel(CancellationReason.SIBLING_FAILED, cause);
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(calls).containsExactly("first:SIBLING_FAILED:true", "second:SIBLING_FAILED:true",
					"third:SIBLING_FAILED:true");
		}
	}

	@Test
	void listenerReceivesTheScopesCancellationThatExceptionsReportToo() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			AtomicReference<Cancellation> received = new AtomicReference<>();
			scope.onCancel(received::set);
			IllegalStateException cause = new IllegalStateException("upstream failed");
			scope.cancel(CancellationReason.CLIENT_DISCONNECTED, cause);
			assertThat(received.get()).isNotNull().satisfies((cancellation) -> {
				assertThat(cancellation.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED);
				assertThat(cancellation.cause()).isSameAs(cause);
			});
			assertThat(scope.cancellation()).containsSame(received.get());
			assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
				.satisfies((ex) -> assertThat(ex.cancellation()).isSameAs(received.get()));
			assertThat(received.get().toException()).satisfies((ex) -> {
				assertThat(ex.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED);
				assertThat(ex.getCause()).isSameAs(cause);
			});
		}
	}

	@Test
	void throwingListenerDoesNotStopTheOthersAndIsLogged() {
		try (CapturedLog log = CapturedLog.ofScopes(); CancellableScope scope = this.root.scope().openChild()) {
			List<String> calls = new CopyOnWriteArrayList<>();
			IllegalStateException failure = new IllegalStateException("listener failed");
			scope.onCancel((cancellation) -> calls.add("first"));
			scope.onCancel((cancellation) -> {
				throw failure;
			});
			scope.onCancel((cancellation) -> calls.add("third"));
			assertThat(scope.cancel(CancellationReason.CANCELLED)).isTrue();
			assertThat(calls).containsExactly("first", "third");
			assertThat(log.warnings()).anySatisfy((record) -> assertThat(record.getThrown()).isSameAs(failure));
		}
	}

	@Test
	void removedListenerDoesNotFire() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			List<String> calls = new CopyOnWriteArrayList<>();
			scope.onCancel((cancellation) -> calls.add("kept before"));
			Registration removed = scope.onCancel((cancellation) -> calls.add("removed"));
			scope.onCancel((cancellation) -> calls.add("kept after"));
			removed.close();
			removed.close();
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(calls).containsExactly("kept before", "kept after");
		}
	}

	@Test
	void sameListenerRegisteredTwiceFiresTwiceUnlessOneRegistrationIsRemoved() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			AtomicInteger calls = new AtomicInteger();
			CancellationListener listener = (cancellation) -> calls.incrementAndGet();
			scope.onCancel(listener);
			scope.onCancel(listener).close();
			scope.cancel(CancellationReason.CANCELLED);
			assertThat(calls).hasValue(1);
		}
	}

	@Test
	void listenerAddedAfterCancellationFiresAtOnceOnTheCallingThread() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			IllegalStateException cause = new IllegalStateException("boom");
			scope.cancel(CancellationReason.DEADLINE_EXCEEDED, cause);
			AtomicReference<Thread> calledOn = new AtomicReference<>();
			AtomicReference<Throwable> seenCause = new AtomicReference<>();
			Registration registration = scope.onCancel((cancellation) -> {
				calledOn.set(Thread.currentThread());
				seenCause.set(cancellation.cause());
			});
			assertThat(calledOn).hasValue(Thread.currentThread());
			assertThat(seenCause).hasValue(cause);
			assertThatNoException().isThrownBy(registration::close);
		}
	}

	@Test
	void listenerMayCallBackIntoItsScope() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			List<String> calls = new CopyOnWriteArrayList<>();
			scope.onCancel((cancellation) -> {
				calls.add("cancelled=" + scope.isCancelled());
				scope.onCancel((nested) -> calls.add("nested"));
				scope.defer(() -> calls.add("cleanup"));
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
		try (CancellableScope parent = this.root.scope().openChild();
				CancellableScope child = parent.openChild();
				CancellableScope grandchild = child.openChild()) {
			List<String> calls = new CopyOnWriteArrayList<>();
			grandchild.onCancel((cancellation) -> calls.add("grandchild"));
			child.onCancel((cancellation) -> calls.add("child"));
			parent.onCancel((cancellation) -> calls.add("parent"));
			parent.cancel(CancellationReason.CANCELLED);
			assertThat(calls).containsExactly("parent", "child", "grandchild");
		}
	}

	@Test
	void childIsCancelledWithParentsReasonAndCause() {
		try (CancellableScope parent = this.root.scope().openChild();
				CancellableScope child = parent.openChild();
				CancellableScope grandchild = child.openChild()) {
			AtomicReference<Throwable> childListenerCause = new AtomicReference<>();
			child.onCancel((cancellation) -> childListenerCause.set(cancellation.cause()));
			IllegalStateException cause = new IllegalStateException("boom");
			parent.cancel(CancellationReason.CLIENT_DISCONNECTED, cause);
			for (CancellableScope scope : List.of(child, grandchild)) {
				assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.CLIENT_DISCONNECTED);
				assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(scope::throwIfCancelled)
					.withCause(cause);
			}
			assertThat(childListenerCause).hasValue(cause);
		}
	}

	@Test
	void cancellingAChildDoesNotCancelItsParentOrSiblings() {
		try (CancellableScope parent = this.root.scope().openChild();
				CancellableScope child = parent.openChild();
				CancellableScope sibling = parent.openChild()) {
			child.cancel(CancellationReason.DEADLINE_EXCEEDED);
			assertThat(parent.isCancelled()).isFalse();
			assertThat(sibling.isCancelled()).isFalse();
			assertThat(this.root.scope().isCancelled()).isFalse();
		}
	}

	@Test
	void childOpenedFromCancelledParentIsBornCancelled() {
		try (CancellableScope parent = this.root.scope().openChild()) {
			IllegalStateException cause = new IllegalStateException("boom");
			parent.cancel(CancellationReason.SHUTDOWN, cause);
			try (CancellableScope child = parent.openChild()) {
				assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.SHUTDOWN);
				assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(child::throwIfCancelled)
					.withCause(cause);
				List<CancellationReason> fired = new CopyOnWriteArrayList<>();
				child.onCancel((cancellation) -> fired.add(cancellation.reason()));
				assertThat(fired).containsExactly(CancellationReason.SHUTDOWN);
				assertThat(child.cancel(CancellationReason.CANCELLED)).isFalse();
			}
			try (CancellableScope viaCurrentThread = parent.call(() -> RequestScope.forCurrentThread().openChild())) {
				assertThat(viaCurrentThread.cancellation()).map(Cancellation::reason).contains(CancellationReason.SHUTDOWN);
			}
		}
	}

	@Test
	void closedScopeCannotBeCancelledAndItsListenersNeverFire() {
		CancellableScope scope = this.root.scope().openChild();
		AtomicInteger calls = new AtomicInteger();
		scope.onCancel((cancellation) -> calls.incrementAndGet());
		scope.close();
		assertThat(scope.cancel(CancellationReason.CANCELLED)).isFalse();
		assertThat(scope.isCancelled()).isFalse();
		scope.onCancel((cancellation) -> calls.incrementAndGet());
		assertThat(calls).hasValue(0);
	}

	@Test
	void closedScopeCannotOpenChildren() {
		CancellableScope scope = this.root.scope().openChild();
		scope.close();
		assertThatIllegalStateException().isThrownBy(() -> scope.openChild()).withMessageContaining("ended");
		assertThatIllegalStateException().isThrownBy(() -> scope.openChild(ScopeOptions.of(ScopeOptions.METHOD)));
	}

	@Test
	void injectedScopeCannotCancelOrCloseTheScopeItStandsFor() {
		assertThat(RequestScope.forCurrentThread()).isNotInstanceOf(CancellableScope.class)
			.isNotInstanceOf(AutoCloseable.class);
	}

	@Test
	void scopesHaveDistinctIds() {
		try (CancellableScope one = this.root.scope().openChild(); CancellableScope two = this.root.scope().openChild()) {
			assertThat(one.id()).isNotEqualTo(two.id()).isNotEqualTo(this.root.scope().id());
			assertThat(one.toString()).contains(one.id());
		}
	}

	@Test
	void callRunsWithTheScopeAsCurrent() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			assertThat(RequestScope.find()).isEmpty();
			RequestScope seen = scope.call(RequestScope::current);
			assertThat(seen).isSameAs(scope);
			assertThat(scope.call(RequestScope::find)).containsSame(scope);
			try (CancellableScope child = scope.openChild()) {
				assertThat(scope.call(() -> child.call(RequestScope::current))).isSameAs(child);
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
