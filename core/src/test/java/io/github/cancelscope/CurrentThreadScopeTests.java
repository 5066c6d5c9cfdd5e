package io.github.cancelscope;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RequestScope#forCurrentThread()}, the one scope that Spring injects.
 */
class CurrentThreadScopeTests {

	private final RequestScope current = RequestScope.forCurrentThread();

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void oneInstanceServesEveryThread() {
		assertThat(RequestScope.forCurrentThread()).isSameAs(this.current);
	}

	@Test
	void outsideAnyScopeEveryCallSaysHowToGetOne() {
		for (Runnable call : List.<Runnable>of(this.current::id, this.current::isCancelled,
				this.current::throwIfCancelled, this.current::deadline, () -> this.current.openChild(),
				() -> this.current.defer(() -> {
				}))) {
			assertThatIllegalStateException().isThrownBy(call::run)
				.withMessageContaining("No RequestScope on thread '" + Thread.currentThread().getName() + "'")
				.withMessageContaining("RequestScope.find()");
		}
	}

	@Test
	void callsGoToTheScopeCurrentOnTheCallingThread() {
		try (CancellableScope scope = this.root.scope()
			.openChild(ScopeOptions.of(ScopeOptions.METHOD, "Orders.find").withTimeout(Duration.ofSeconds(3)))) {
			scope.call(() -> {
				assertThat(this.current.id()).isEqualTo(scope.id());
				assertThat(this.current.kind()).isEqualTo("method");
				assertThat(this.current.name()).isEqualTo("Orders.find");
				assertThat(this.current.description()).isEqualTo("Orders.find");
				assertThat(this.current.deadline()).isEqualTo(scope.deadline());
				assertThat(this.current.remaining()).contains(Duration.ofSeconds(3));
				assertThat(this.current.fork(RequestScope::current).join()).isSameAs(scope);
				assertThat(this.current.abortable("test", () -> {
				}, RequestScope::current)).isSameAs(scope);
				assertThat(this.current.interruptible("test", RequestScope::current)).isSameAs(scope);
				return null;
			});
		}
	}

	@Test
	void followsTheScopeOfEachThread() {
		try (CancellableScope one = this.root.scope().openChild(); CancellableScope two = this.root.scope().openChild()) {
			assertThat(one.call(this.current::id)).isEqualTo(one.id());
			assertThat(two.call(this.current::id)).isEqualTo(two.id());
			assertThat(one.call(() -> two.call(this.current::id))).isEqualTo(two.id());
			assertThat(one.fork(() -> this.current.id()).join()).isEqualTo(one.id());
		}
	}

	@Test
	void childrenListenersAndCleanupsBelongToTheCurrentScope() {
		List<String> events = new CopyOnWriteArrayList<>();
		AtomicReference<CancellableScope> child = new AtomicReference<>();
		CancellableScope scope = this.root.scope().openChild();
		scope.call(() -> {
			this.current.onCancel((cancellation) -> events.add("cancelled " + cancellation.reason()));
			this.current.defer(() -> events.add("cleanup"));
			child.set(this.current.openChild());
			return null;
		});
		scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
		assertThat(child.get().isCancelled()).as("the child was opened in the current scope").isTrue();
		assertThatExceptionOfType(ScopeCancelledException.class)
			.isThrownBy(() -> scope.call(() -> {
				this.current.throwIfCancelled();
				return null;
			}))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED));
		assertThat(scope.call(this.current::cancellation)).map(Cancellation::reason)
			.contains(CancellationReason.CLIENT_DISCONNECTED);
		child.get().close();
		scope.close();
		assertThat(events).containsExactly("cancelled CLIENT_DISCONNECTED", "cleanup");
	}

}
