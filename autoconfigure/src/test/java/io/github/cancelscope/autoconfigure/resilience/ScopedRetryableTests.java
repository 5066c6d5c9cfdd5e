package io.github.cancelscope.autoconfigure.resilience;

import java.time.Duration;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.autoconfigure.resilience.ResilienceTestConfiguration.Flaky;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code @Retryable} methods, advised by Spring's real retry proxy, called in scopes.
 */
class ScopedRetryableTests {

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
	void cancellationEndsTheBackOffSleepAtOnceAndTheCallerGetsTheScopeCancelledException() {
		this.contextRunner.run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			try (CancellableScope scope = this.root.openChild()) {
				ScopedCall call = ScopedCall.start(scope, flaky::longBackOff, "retrying");
				awaitBackOff(call, flaky);
				scope.cancel(CancellationReason.CANCELLED);
				Throwable failure = call.awaitFailure();
				assertThat(failure).as("the 30 s back-off ended at once").isInstanceOf(ScopeCancelledException.class);
				assertThat(((ScopeCancelledException) failure).reason()).isEqualTo(CancellationReason.CANCELLED);
				assertThat(flaky.attempts()).as("attempts").isEqualTo(1);
				assertThat(call.interruptedAfter()).as("interrupt status after the call").isFalse();
			}
		});
	}

	@Test
	void deadlineEndsTheBackOffSleep() {
		this.contextRunner.run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			try (CancellableScope scope = this.root.openChild(Duration.ofMinutes(2))) {
				ScopedCall call = ScopedCall.start(scope, flaky::longBackOff, "retrying");
				awaitBackOff(call, flaky);
				this.clock.advance(Duration.ofMinutes(2));
				Throwable failure = call.awaitFailure();
				assertThat(failure).isInstanceOf(ScopeCancelledException.class);
				assertThat(((ScopeCancelledException) failure).reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
				assertThat(flaky.attempts()).isEqualTo(1);
			}
		});
	}

	@Test
	void noAttemptStartsInACancelledScope() {
		this.contextRunner.run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			try (CancellableScope scope = this.root.openChild()) {
				scope.cancel(CancellationReason.CANCELLED);
				Throwable failure = ScopedCall.start(scope, flaky::shortBackOff, "retrying").awaitFailure();
				assertThat(failure).isInstanceOf(ScopeCancelledException.class);
				assertThat(flaky.attempts()).isEqualTo(0);
			}
		});
	}

	@Test
	void scopeCancelledDuringAnAttemptStartsNoOtherAndLeavesTheAttemptUninterrupted() {
		this.contextRunner.run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			try (CancellableScope scope = this.root.openChild()) {
				ScopedCall call = ScopedCall.start(scope, flaky::heldAttempt, "retrying");
				call.awaitState(Thread.State.TIMED_WAITING);
				assertThat(flaky.attempts()).isEqualTo(1);
				scope.cancel(CancellationReason.CLIENT_DISCONNECTED);
				flaky.release();
				Throwable failure = call.awaitFailure();
				assertThat(failure).isInstanceOf(ScopeCancelledException.class);
				assertThat(((ScopeCancelledException) failure).reason())
					.isEqualTo(CancellationReason.CLIENT_DISCONNECTED);
				assertThat(flaky.attempts()).as("attempts").isEqualTo(1);
				assertThat(flaky.attemptInterrupted()).as("the attempt's own code saw an interrupt").isFalse();
				assertThat(call.interruptedAfter()).isFalse();
			}
		});
	}

	@Test
	void lessTimeLeftThanTheNextDelayGivesUpWithTheLastFailure() {
		this.contextRunner.run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			// 20 s left, the next attempt would come after 30 s
			try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(20))) {
				Throwable failure = ScopedCall.start(scope, flaky::longBackOff, "retrying").awaitFailure();
				assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("attempt 1");
				assertThat(flaky.attempts()).isEqualTo(1);
				assertThat(scope.isCancelled()).as("the caller's scope").isFalse();
			}
		});
	}

	@Test
	void lessTimeLeftThanTheMinimumGivesUpWithTheLastFailure() {
		this.contextRunner.withPropertyValues("cancelscope.retry.min-remaining=90s").run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(60))) {
				Throwable failure = ScopedCall.start(scope, flaky::shortBackOff, "retrying").awaitFailure();
				assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("attempt 1");
				assertThat(flaky.attempts()).isEqualTo(1);
			}
		});
	}

	@Test
	void enoughTimeLeftRetriesAsSpringDoes() {
		this.contextRunner.withPropertyValues("cancelscope.retry.min-remaining=1s").run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(60))) {
				Throwable failure = ScopedCall.start(scope, flaky::shortBackOff, "retrying").awaitFailure();
				assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("attempt 4");
				assertThat(flaky.attempts()).as("the first attempt and three retries").isEqualTo(4);
			}
		});
	}

	@Test
	void outsideAnyScopeRetriesAsSpringDoes() {
		this.contextRunner.run((context) -> {
			Flaky flaky = context.getBean(Flaky.class);
			assertThatIllegalStateException().isThrownBy(flaky::shortBackOff).withMessage("attempt 4");
			assertThat(flaky.attempts()).isEqualTo(4);
		});
	}

	private static void awaitBackOff(ScopedCall call, Flaky flaky) {
		call.awaitState(Thread.State.TIMED_WAITING);
		assertThat(flaky.attempts()).as("attempts before the back-off").isEqualTo(1);
	}

}
