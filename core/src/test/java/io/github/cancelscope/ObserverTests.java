package io.github.cancelscope;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeCancellation;
import io.github.cancelscope.spi.ScopeEnd;
import io.github.cancelscope.spi.ScopeObserver;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.spi.ScopeSnapshot;
import io.github.cancelscope.test.RootScopeExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ScopeObserver} and {@link CancellableScope#snapshot()}.
 */
class ObserverTests {

	private final RecordingObserver observer = new RecordingObserver();

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSettings((s) -> s.withObserver(this.observer));

	@Test
	void observerSeesEachScopeOpenWithItsParentAndEndOnce() {
		CancellableScope scope = this.root.scope().openChild();
		scope.close();
		scope.close();
		assertThat(this.observer.events).containsExactly("opened " + this.root.scope().id() + " parent none", "opened " + scope.id()
				+ " parent " + this.root.scope().id(), "closed " + scope.id() + " completed stragglers 0");
	}

	@Test
	void observerSeesWhatAScopeIsWhenItOpens() {
		List<String> seen = new CopyOnWriteArrayList<>();
		ScopeObserver observer = (scope, parent) -> {
			seen.add(scope.kind() + " " + scope.name() + " " + scope.description());
			return ObservedScope.NONE;
		};
		try (CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withObserver(observer));
				CancellableScope scope = root.openChild(ScopeOptions.of(ScopeOptions.REQUEST, "GET /orders/{id}")
					.withDescription("GET /orders/42"))) {
			assertThat(seen).containsExactly("application application application",
					"request GET /orders/{id} GET /orders/42");
		}
	}

	@Test
	void callAndForksRunInsideTheObservedScopeContext() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			String id = scope.id();
			String inCall = scope.call(() -> RecordingObserver.BOUND.get());
			String inFork = scope.call(() -> RequestScope.current().fork(() -> RecordingObserver.BOUND.get()).join());
			assertThat(inCall).isEqualTo(id);
			assertThat(inFork).isEqualTo(id);
		}
	}

	@Test
	void cancellationIsReportedOnceWithWhatItStoppedAndTheTimeToEnd() throws Exception {
		CancellableScope scope = this.root.scope().openChild();
		CancellableScope child = scope.openChild();
		CountDownLatch inRegion = new CountDownLatch(1);
		CountDownLatch forkRunning = new CountDownLatch(1);
		CountDownLatch aborted = new CountDownLatch(1);
		Subtask<Object> region = child.call(() -> RequestScope.current().fork(() -> RequestScope.current()
			.abortable("jdbc", aborted::countDown, () -> {
				inRegion.countDown();
				Await.await(aborted, "the region is aborted");
				return "aborted";
			})));
		Subtask<Object> fork = scope.call(() -> RequestScope.current().fork(() -> {
			forkRunning.countDown();
			Await.blockUntilInterrupted();
			return "interrupted";
		}));
		Await.await(inRegion, "the region runs");
		Await.await(forkRunning, "the fork runs");
		ScopeSnapshot snapshot = scope.snapshot();
		assertThat(snapshot.forks()).hasSize(1);
		assertThat(snapshot.children()).singleElement().satisfies((c) -> {
			assertThat(c.regions()).isEqualTo(Map.of("jdbc", 1));
			assertThat(c.forks()).singleElement().satisfies((f) -> assertThat(f.regions()).isEqualTo(Map.of("jdbc", 1)));
		});
		this.root.clock().advance(Duration.ofMillis(5));
		assertThat(scope.cancel(CancellationReason.CANCELLED)).isTrue();
		this.root.clock().advance(Duration.ofMillis(7));
		assertThat(this.observer.cancellations).hasSize(2);
		ScopeCancellation top = this.observer.cancellations.get(1);
		assertThat(top.inherited()).isFalse();
		assertThat(top.cancellation().reason()).isEqualTo(CancellationReason.CANCELLED);
		assertThat(top.scopesCancelled()).isOne();
		assertThat(top.regionsAborted()).isEqualTo(Map.of("jdbc", 1));
		assertThat(top.forksStopped()).isEqualTo(2);
		assertThat(this.observer.cancellations.get(0).inherited()).isTrue();
		assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(fork::join);
		child.close();
		scope.close();
		assertThat(this.observer.ends.get(scope.id()).nanosFromCancellation())
			.isEqualTo(Duration.ofMillis(7).toNanos());
		assertThat(this.observer.ends.get(scope.id()).cancellation().reason()).isEqualTo(CancellationReason.CANCELLED);
		assertThat(region.state()).isNotEqualTo(Subtask.State.RUNNING);
	}

	@Test
	void aScopeThatCannotOpenIsNotObserved() {
		CancellableScope scope = this.root.scope().openChild();
		scope.close();
		int before = this.observer.events.size();
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> scope.openChild());
		assertThat(this.observer.events).hasSize(before);
	}

	@Test
	void noObserverMeansSettingsDefaults() {
		assertThat(ScopeSettings.defaults().observer()).isSameAs(ScopeObserver.NONE);
		assertThat(ScopeObserver.of(List.of(ScopeObserver.NONE))).isSameAs(ScopeObserver.NONE);
	}

	@Test
	void compositeObserverNestsContextsAndTellsEveryObserver() {
		RecordingObserver second = new RecordingObserver();
		try (CancellableScope root = CancellableScope
			.root(ScopeSettings.defaults().withObserver(ScopeObserver.of(List.of(this.observer, second))));
				CancellableScope scope = root.openChild()) {
			assertThat(scope.call(() -> RecordingObserver.BOUND.get())).isEqualTo(scope.id());
			scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
		}
		assertThat(second.cancellations).singleElement()
			.satisfies((c) -> assertThat(c.cancellation().reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED));
		assertThat(second.events).last().asString().startsWith("closed");
	}

	@Test
	void observerThatThrowsWhenAScopeOpensIsLoggedAndTheScopeWorksUnobserved() {
		IllegalStateException failure = new IllegalStateException("observer failed to open");
		ScopeObserver throwing = (scope, parent) -> {
			if (parent != null) {
				throw failure;
			}
			return ObservedScope.NONE;
		};
		try (CapturedLog log = CapturedLog.ofScopes();
				CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withObserver(throwing))) {
			CancellableScope scope = root.openChild();
			assertThat(scope.call(() -> RequestScope.current().fork(() -> "forked").join())).isEqualTo("forked");
			scope.close();
			assertThat(log.warnings()).singleElement()
				.satisfies((record) -> assertThat(record.getThrown()).isSameAs(failure));
		}
	}

	@Test
	void observerThatThrowsWhenAScopeIsCancelledLetsJoinReturnTheTasksFailureAndCloseEnd() {
		IllegalStateException observerFailure = new IllegalStateException("observer failed on cancel");
		ThrowingObserver observer = new ThrowingObserver(observerFailure, null);
		IllegalArgumentException taskFailure = new IllegalArgumentException("task failed");
		try (CapturedLog log = CapturedLog.ofScopes();
				CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withObserver(observer))) {
			CancellableScope scope = root.openChild();
			// the failure cancels the scope with SIBLING_FAILED on the fork's thread, and the observer throws there
			Subtask<Object> fork = scope.fork(() -> {
				throw taskFailure;
			});
			assertThat(joinWithin(fork)).isSameAs(taskFailure);
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.SIBLING_FAILED);
			scope.close();
			assertThat(observer.closed).contains(scope.id());
			assertThat(log.warnings()).as("only the observer's failure is logged, no straggler")
				.singleElement()
				.satisfies((record) -> assertThat(record.getThrown()).isSameAs(observerFailure));
		}
	}

	@Test
	void observerThatThrowsWhenAScopeEndsDoesNotKeepCloseFromRestoringTheInterruptStatus() {
		IllegalStateException observerFailure = new IllegalStateException("observer failed on close");
		ThrowingObserver observer = new ThrowingObserver(null, observerFailure);
		try (CapturedLog log = CapturedLog.ofScopes();
				CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withObserver(observer))) {
			CancellableScope scope = root.openChild();
			AtomicInteger cleanups = new AtomicInteger();
			scope.defer(cleanups::incrementAndGet);
			scope.call(() -> {
				Thread.currentThread().interrupt();
				return null;
			});
			scope.close();
			assertThat(Thread.interrupted()).as("interrupt status after close").isFalse();
			assertThat(cleanups).hasValue(1);
			assertThat(log.warnings()).singleElement()
				.satisfies((record) -> assertThat(record.getThrown()).isSameAs(observerFailure));

			Thread.currentThread().interrupt();
			CancellableScope interrupted = root.openChild();
			interrupted.close();
			assertThat(Thread.interrupted()).as("interrupt status set before the scope opened").isTrue();
		}
		finally {
			Thread.interrupted();
		}
	}

	@Test
	void compositeObserverTellsTheOthersWhenOneThrows() {
		RuntimeException failure = new IllegalStateException("first observer failed");
		ThrowingObserver first = new ThrowingObserver(failure, failure);
		ScopeObserver failsToOpen = (scope, parent) -> {
			throw failure;
		};
		try (CapturedLog log = CapturedLog.ofScopes();
				CancellableScope root = CancellableScope.root(ScopeSettings.defaults()
					.withObserver(ScopeObserver.of(List.of(failsToOpen, first, this.observer))))) {
			CancellableScope scope = root.openChild();
			scope.cancel(CancellationReason.SHUTDOWN);
			scope.close();
			assertThat(this.observer.cancellations).singleElement()
				.satisfies((c) -> assertThat(c.cancellation().reason()).isEqualTo(CancellationReason.SHUTDOWN));
			assertThat(this.observer.events).last().isEqualTo("closed " + scope.id() + " cancelled stragglers 0");
			assertThat(first.closed).containsExactly(scope.id());
			assertThat(log.warnings()).isNotEmpty().allSatisfy((record) -> assertThat(record.getThrown()).isSameAs(failure));
		}
	}

	/**
	 * Joins {@code fork} on another thread, so that a join that never returns fails the test.
	 * @return what join threw, or {@code null} if it returned
	 */
	private static @Nullable Throwable joinWithin(Subtask<?> fork) {
		AtomicReference<Throwable> thrown = new AtomicReference<>();
		Thread joiner = TestThreads.start(() -> {
			try {
				fork.join();
			}
			catch (Throwable ex) {
				thrown.set(ex);
			}
		});
		Await.join(joiner, "join returned");
		return thrown.get();
	}

	/**
	 * Observes every scope but the root, and throws from {@code cancelled} or {@code closed}.
	 */
	static final class ThrowingObserver implements ScopeObserver {

		final List<String> closed = new CopyOnWriteArrayList<>();

		private final @Nullable RuntimeException onCancelled;

		private final @Nullable RuntimeException onClosed;

		ThrowingObserver(@Nullable RuntimeException onCancelled, @Nullable RuntimeException onClosed) {
			this.onCancelled = onCancelled;
			this.onClosed = onClosed;
		}

		@Override
		public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
			if (parent == null) {
				return ObservedScope.NONE;
			}
			return new ObservedScope() {

				@Override
				public void cancelled(ScopeCancellation cancellation) {
					if (ThrowingObserver.this.onCancelled != null) {
						throw ThrowingObserver.this.onCancelled;
					}
				}

				@Override
				public void closed(ScopeEnd end) {
					ThrowingObserver.this.closed.add(scope.id());
					if (ThrowingObserver.this.onClosed != null) {
						throw ThrowingObserver.this.onClosed;
					}
				}

			};
		}

	}

	static final class RecordingObserver implements ScopeObserver {

		// what an observer binds around a scope's work (a tracing context): set and restored per call
		static final ThreadLocal<String> BOUND = new ThreadLocal<>();

		final List<String> events = new CopyOnWriteArrayList<>();

		final List<ScopeCancellation> cancellations = new CopyOnWriteArrayList<>();

		final Map<String, ScopeEnd> ends = new java.util.concurrent.ConcurrentHashMap<>();

		@Override
		public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
			this.events.add("opened " + scope.id() + " parent " + ((parent != null) ? parent.id() : "none"));
			return new ObservedScope() {

				@Override
				public <R, X extends Throwable> R bind(CheckedCallable<? extends R, X> op) throws X {
					String outer = BOUND.get();
					BOUND.set(scope.id());
					try {
						return op.call();
					}
					finally {
						if (outer != null) {
							BOUND.set(outer);
						}
						else {
							BOUND.remove();
						}
					}
				}

				@Override
				public void cancelled(ScopeCancellation cancellation) {
					RecordingObserver.this.cancellations.add(cancellation);
				}

				@Override
				public void closed(ScopeEnd end) {
					RecordingObserver.this.ends.put(scope.id(), end);
					RecordingObserver.this.events.add("closed " + scope.id() + " "
							+ (end.cancelled() ? "cancelled" : "completed") + " stragglers " + end.stragglers());
				}

			};
		}

	}

}
