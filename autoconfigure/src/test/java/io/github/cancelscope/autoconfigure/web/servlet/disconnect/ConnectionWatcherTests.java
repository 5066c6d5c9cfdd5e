package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.web.servlet.ClientDisconnectWatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionWatcher}'s sleep: when it sleeps until a request wakes it, and when a
 * request finds it still ticking and wakes nothing.
 */
class ConnectionWatcherTests {

	private static final Duration GRACE = Duration.ofMillis(10);

	private final CancellableScope scope = CancellableScope.root(ScopeSettings.defaults());

	// an HTTP/2 stream that is never reset: the watcher only ever looks at it
	private final ClientConnection connection = new ClientConnection.Stream() {

		@Override
		public boolean responseCommitted() {
			return false;
		}

		@Override
		public boolean reset() {
			return false;
		}

	};

	private ConnectionWatcher watcher;

	@AfterEach
	void close() {
		if (this.watcher != null) {
			this.watcher.close();
		}
		this.scope.close();
	}

	@Test
	void withoutALingerEachRequestAfterAnIdleMomentWakesTheWatcher() throws Exception {
		this.watcher = new ConnectionWatcher(GRACE, Duration.ZERO);
		for (int i = 1; i <= 3; i++) {
			await(this.watcher::isSleeping, "the idle watcher sleeps");
			request();
			assertThat(this.watcher.wakeUps()).isEqualTo(i);
		}
	}

	@Test
	void whileTheWatcherLingersRequestsWakeNothing() throws Exception {
		this.watcher = new ConnectionWatcher(GRACE, Duration.ofHours(1));
		for (int i = 0; i < 10; i++) {
			request();
			// idle rounds in between: a watcher without a linger would fall asleep in the first and make no more
			long after = this.watcher.rounds() + 3;
			await(() -> this.watcher.rounds() >= after, "three more rounds of the watcher");
		}
		assertThat(this.watcher.wakeUps()).isZero();
		assertThat(this.watcher.isSleeping()).isFalse();
	}

	@Test
	void afterItsLingerTheIdleWatcherSleepsAndTheNextRequestWakesIt() throws Exception {
		this.watcher = new ConnectionWatcher(GRACE, Duration.ofMillis(50));
		request();
		await(this.watcher::isSleeping, "the watcher sleeps after lingering");
		long before = this.watcher.wakeUps();
		request();
		assertThat(this.watcher.wakeUps()).isEqualTo(before + 1);
	}

	private void request() {
		ClientDisconnectWatch.Watch watch = this.watcher.watch(this.connection, this.scope);
		watch.close();
	}

	private static void await(BooleanSupplier condition, String what) throws InterruptedException {
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			assertThat(System.nanoTime() - until).as(what + " within 10 s").isNegative();
			Thread.sleep(1);
		}
	}

}
