package io.github.cancelscope.autoconfigure.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.autoconfigure.resilience.ResilienceTestConfiguration.Limited;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @ConcurrencyLimit(2)} method, advised by Spring's real throttle proxy, called in scopes
 * by many threads at once.
 */
class ScopedConcurrencyLimitTests {

	private static final int WAITERS = 48;

	private final ManualScopeClock clock = new ManualScopeClock();

	private final CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withClock(this.clock));

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeResilienceAutoConfiguration.class))
		.withUserConfiguration(ResilienceTestConfiguration.class);

	@AfterEach
	void closeRoot() {
		this.root.close();
	}

	@Test
	void cancelledWaitersStopWaitingAndNoPermitIsLost() {
		this.contextRunner.run((context) -> {
			Limited limited = context.getBean(Limited.class);
			List<CancellableScope> scopes = new ArrayList<>();
			List<ScopedCall> calls = new ArrayList<>();
			for (int i = 0; i < 2 + WAITERS; i++) {
				CancellableScope scope = this.root.openChild();
				scopes.add(scope);
				calls.add(ScopedCall.start(scope, limited::hold, "caller-" + i));
			}
			await("two callers inside, the others parked for a permit").atMost(ScopedCall.PATIENCE)
				.pollInterval(Duration.ofMillis(5))
				.until(() -> limited.inside() == 2 && parked(calls) == WAITERS);
			// callers 0 and 1 are inside (whichever got in first), 2..49 wait: cancel every other waiter
			// from four threads at once while the gate stays shut: each stops waiting
			List<Integer> waiting = new ArrayList<>();
			for (int i = 0; i < calls.size(); i++) {
				if (calls.get(i).state() == Thread.State.WAITING) {
					waiting.add(i);
				}
			}
			List<Integer> cancelledWhileShut = new ArrayList<>();
			for (int i = 0; i < waiting.size(); i += 2) {
				cancelledWhileShut.add(waiting.get(i));
			}
			cancelConcurrently(scopes, cancelledWhileShut, null);
			for (int i : cancelledWhileShut) {
				assertCancelled(calls.get(i), i);
			}
			assertThat(limited.inside()).as("callers inside, the gate still shut").isEqualTo(2);
			await("the callers never cancelled still parked").atMost(ScopedCall.PATIENCE)
				.pollInterval(Duration.ofMillis(5))
				.until(() -> parked(calls) == WAITERS - cancelledWhileShut.size());
			// then cancel every other remaining waiter while the gate opens: each either got in first or
			// stops; the callers never cancelled all get in
			List<Integer> cancelledWhileOpening = new ArrayList<>();
			for (int i = 1; i < waiting.size(); i += 4) {
				cancelledWhileOpening.add(waiting.get(i));
			}
			cancelConcurrently(scopes, cancelledWhileOpening, limited::openGate);
			int completed = 0;
			for (int i = 0; i < calls.size(); i++) {
				ScopedCall call = calls.get(i);
				if (cancelledWhileShut.contains(i)) {
					continue;
				}
				if (!cancelledWhileOpening.contains(i)) {
					assertThat(call.awaitResult()).as("caller %d, never cancelled", i).isEqualTo("held");
					completed++;
				}
				else if (call.awaitOutcome() == null) {
					completed++;
				}
				else {
					assertCancelled(call, i);
				}
				assertThat(call.interruptedAfter()).as("interrupt status of caller %d afterwards", i).isFalse();
			}
			assertThat(limited.mostInside()).as("callers inside at once, ever").isEqualTo(2);
			assertThat(limited.entries()).as("callers that entered").isEqualTo(completed);
			for (CancellableScope scope : scopes) {
				scope.close();
			}
			assertLimitAdmitsExactlyTwo(limited);
		});
	}

	@Test
	void waiterStopsWaitingAtItsDeadline() {
		this.contextRunner.run((context) -> {
			Limited limited = context.getBean(Limited.class);
			try (CancellableScope first = this.root.openChild();
					CancellableScope second = this.root.openChild();
					CancellableScope waiter = this.root.openChild(Duration.ofSeconds(5))) {
				ScopedCall one = ScopedCall.start(first, limited::hold, "first");
				ScopedCall two = ScopedCall.start(second, limited::hold, "second");
				await().atMost(ScopedCall.PATIENCE).until(() -> limited.inside() == 2);
				ScopedCall waiting = ScopedCall.start(waiter, limited::hold, "waiter").awaitState(Thread.State.WAITING);
				this.clock.advance(Duration.ofSeconds(5));
				Throwable failure = waiting.awaitFailure();
				assertThat(failure).isInstanceOf(ScopeCancelledException.class);
				assertThat(((ScopeCancelledException) failure).reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
				assertThat(waiting.interruptedAfter()).isFalse();
				limited.openGate();
				assertThat(one.awaitResult()).isEqualTo("held");
				assertThat(two.awaitResult()).isEqualTo("held");
				assertThat(limited.entries()).isEqualTo(2);
			}
			assertLimitAdmitsExactlyTwo(limited);
		});
	}

	/**
	 * Three callers: two get in, the third waits until one leaves.
	 */
	private void assertLimitAdmitsExactlyTwo(Limited limited) throws Exception {
		limited.closeGate();
		int before = limited.entries();
		List<ScopedCall> probes = new ArrayList<>();
		try (CancellableScope scope = this.root.openChild()) {
			for (int i = 0; i < 3; i++) {
				probes.add(ScopedCall.start(scope, limited::hold, "probe-" + i));
			}
			await("two probes inside, the third parked for a permit").atMost(ScopedCall.PATIENCE)
				.pollInterval(Duration.ofMillis(5))
				.until(() -> limited.inside() == 2 && parked(probes) == 1);
			assertThat(limited.entries() - before).as("probes let in while two are inside").isEqualTo(2);
			limited.openGate();
			for (ScopedCall probe : probes) {
				assertThat(probe.awaitResult()).isEqualTo("held");
			}
		}
		assertThat(limited.entries() - before).isEqualTo(3);
	}

	/**
	 * Cancels the scopes of the given callers from four threads at once, running {@code meanwhile}
	 * as they start.
	 */
	private static void cancelConcurrently(List<CancellableScope> scopes, List<Integer> callers,
			@Nullable Runnable meanwhile) throws InterruptedException {
		CountDownLatch go = new CountDownLatch(1);
		List<Thread> cancellers = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			int first = t;
			Thread canceller = new Thread(() -> {
				awaitQuietly(go);
				for (int i = first; i < callers.size(); i += 4) {
					scopes.get(callers.get(i)).cancel(CancellationReason.CLIENT_DISCONNECTED);
				}
			}, "canceller-" + t);
			canceller.start();
			cancellers.add(canceller);
		}
		go.countDown();
		if (meanwhile != null) {
			meanwhile.run();
		}
		for (Thread canceller : cancellers) {
			canceller.join(ScopedCall.PATIENCE.toMillis());
		}
	}

	private static void assertCancelled(ScopedCall call, int caller) throws InterruptedException {
		Throwable failure = call.awaitFailure();
		assertThat(failure).as("caller %d", caller).isInstanceOf(ScopeCancelledException.class);
		assertThat(((ScopeCancelledException) failure).reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED);
	}

	private static long parked(List<ScopedCall> calls) {
		return calls.stream().filter((call) -> call.state() == Thread.State.WAITING).count();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
