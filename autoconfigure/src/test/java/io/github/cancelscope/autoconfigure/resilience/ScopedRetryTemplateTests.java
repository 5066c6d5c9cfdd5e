package io.github.cancelscope.autoconfigure.resilience;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.resilience.ScopedRetryPolicy;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Spring's real {@link RetryTemplate}, as a bean the starter decorates, called in scopes.
 */
class ScopedRetryTemplateTests {

	private final ManualScopeClock clock = new ManualScopeClock();

	private final CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withClock(this.clock));

	private final AtomicInteger attempts = new AtomicInteger();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeResilienceAutoConfiguration.class));

	@AfterEach
	void closeRoot() {
		this.root.close();
	}

	@Test
	void retryTemplateBeansGetTheScopedPolicy() {
		this.contextRunner.withBean(RetryTemplate.class, () -> template(30_000))
			.run((context) -> assertThat(context.getBean(RetryTemplate.class).getRetryPolicy())
				.isInstanceOf(ScopedRetryPolicy.class));
	}

	@Test
	void cancellationEndsTheBackOffAtOnceWithTheScopeCancelledException() {
		this.contextRunner.withBean(RetryTemplate.class, () -> template(30_000)).run((context) -> {
			RetryTemplate template = context.getBean(RetryTemplate.class);
			try (CancellableScope scope = this.root.openChild()) {
				ScopedCall call = ScopedCall.start(scope, () -> template.execute(this::fail), "retrying");
				awaitBackOff(call);
				scope.cancel(CancellationReason.SIBLING_FAILED);
				Throwable failure = call.awaitFailure();
				assertThat(failure).as("not a RetryException").isInstanceOf(ScopeCancelledException.class);
				assertThat(((ScopeCancelledException) failure).reason()).isEqualTo(CancellationReason.SIBLING_FAILED);
				assertThat(this.attempts).hasValue(1);
			}
		});
	}

	@Test
	void deadlineEndsTheBackOff() {
		this.contextRunner.withBean(RetryTemplate.class, () -> template(30_000)).run((context) -> {
			RetryTemplate template = context.getBean(RetryTemplate.class);
			try (CancellableScope scope = this.root.openChild(Duration.ofMinutes(1))) {
				ScopedCall call = ScopedCall.start(scope, () -> template.invoke(this::fail), "retrying");
				awaitBackOff(call);
				this.clock.advance(Duration.ofMinutes(1));
				Throwable failure = call.awaitFailure();
				assertThat(failure).isInstanceOf(ScopeCancelledException.class);
				assertThat(((ScopeCancelledException) failure).reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
			}
		});
	}

	@Test
	void scopeCancelledDuringAnAttemptStartsNoOther() throws Exception {
		RetryTemplate template = new RetryTemplate(ScopedRetryPolicy.of(policy(10)));
		CountDownLatch release = new CountDownLatch(1);
		try (CancellableScope scope = this.root.openChild()) {
			ScopedCall call = ScopedCall.start(scope, () -> template.invoke(() -> {
				this.attempts.incrementAndGet();
				awaitQuietly(release);
				throw new IllegalStateException("attempt failed");
			}), "retrying");
			call.awaitState(Thread.State.TIMED_WAITING);
			scope.cancel(CancellationReason.CANCELLED);
			release.countDown();
			assertThat(call.awaitFailure()).isInstanceOf(ScopeCancelledException.class);
			assertThat(this.attempts).hasValue(1);
		}
	}

	@Test
	void lessTimeLeftThanTheDelayStopsWithTheLastFailure() throws Exception {
		RetryTemplate template = new RetryTemplate(ScopedRetryPolicy.of(policy(30_000)));
		try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(20))) {
			Throwable failure = ScopedCall.start(scope, () -> template.invoke(this::fail), "retrying").awaitFailure();
			assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("attempt 1");
			assertThat(this.attempts).hasValue(1);
		}
	}

	@Test
	void lessTimeLeftThanTheMinimumStopsWithTheLastFailure() throws Exception {
		RetryTemplate template = new RetryTemplate(ScopedRetryPolicy.of(policy(10), Duration.ofSeconds(90)));
		try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(60))) {
			Throwable failure = ScopedCall.start(scope, () -> template.invoke(this::fail), "retrying").awaitFailure();
			assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("attempt 1");
		}
	}

	@Test
	void enoughTimeOrNoScopeRetriesAsSpringDoes() throws Exception {
		RetryTemplate template = new RetryTemplate(ScopedRetryPolicy.of(policy(10), Duration.ofSeconds(1)));
		try (CancellableScope scope = this.root.openChild(Duration.ofSeconds(60))) {
			Throwable failure = ScopedCall.start(scope, () -> template.invoke(this::fail), "retrying").awaitFailure();
			assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("attempt 4");
		}
		this.attempts.set(0);
		assertThatIllegalStateException().isThrownBy(() -> template.invoke(this::fail)).withMessage("attempt 4");
	}

	private String fail() {
		throw new IllegalStateException("attempt " + this.attempts.incrementAndGet());
	}

	private void awaitBackOff(ScopedCall call) {
		call.awaitState(Thread.State.TIMED_WAITING);
		assertThat(this.attempts).as("attempts before the back-off").hasValue(1);
	}

	private static RetryTemplate template(long delayMillis) {
		return new RetryTemplate(policy(delayMillis));
	}

	private static RetryPolicy policy(long delayMillis) {
		return RetryPolicy.builder().maxRetries(3).delay(Duration.ofMillis(delayMillis)).build();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(20, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
