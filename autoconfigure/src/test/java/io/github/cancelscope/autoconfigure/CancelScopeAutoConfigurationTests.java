package io.github.cancelscope.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.Scoped;
import io.github.cancelscope.Subtask;
import io.github.cancelscope.spi.ContextCapture;
import io.github.cancelscope.spi.ScopeClock;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import io.micrometer.context.ContextSnapshotFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link CancelScopeAutoConfiguration}.
 */
class CancelScopeAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class));

	@Test
	void providesApplicationScopeAndInjectableRequestScope() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(CancellableScope.class)
				.hasBean(CancelScopeAutoConfiguration.APPLICATION_SCOPE_BEAN_NAME)
				.hasSingleBean(ScopeClock.class);
			CancellableScope application = context.getBean(CancellableScope.class);
			RequestScope injected = context.getBean(RequestScope.class);
			assertThat(injected).as("the application scope is a RequestScope too, but not the one injected")
				.isNotSameAs(application)
				.isSameAs(RequestScope.forCurrentThread());
			try (CancellableScope first = application.openChild();
					CancellableScope second = application.openChild()) {
				assertThat(first.call(injected::id)).isEqualTo(first.id());
				assertThat(second.call(injected::id)).isEqualTo(second.id());
			}
		});
	}

	@Test
	void injectedRequestScopeOutsideAnyScopeSaysHowToGetOne() {
		this.contextRunner.run((context) -> assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> context.getBean(RequestScope.class).isCancelled())
			.withMessageContaining("@Scoped"));
	}

	@Test
	void stoppingTheContextWithoutClosingItDoesNotCancelTheApplicationScope() {
		this.contextRunner.run((context) -> {
			context.stop();
			context.start();
			CancellableScope application = context.getBean(CancellableScope.class);
			assertThat(application.cancellation()).isEmpty();
			try (CancellableScope request = application.openChild()) {
				assertThat(request.isCancelled()).isFalse();
			}
		});
	}

	@Test
	void closingTheContextCancelsTheApplicationScopeWithShutdown() {
		CancellableScope[] application = new CancellableScope[1];
		this.contextRunner.withPropertyValues("cancelscope.shutdown.grace=0s")
			.run((context) -> application[0] = context.getBean(CancellableScope.class));
		assertThat(application[0].cancellation()).map(Cancellation::reason).contains(CancellationReason.SHUTDOWN);
	}

	@Test
	void aStartUpThatFailsCancelsTheWorkItBeganWithShutdownAtOnce() {
		FailingStartConfiguration.inFlight.set(null);
		this.contextRunner.withPropertyValues("cancelscope.shutdown.grace=1h")
			.withUserConfiguration(FailingStartConfiguration.class)
			.run((context) -> assertThat(context).hasFailed());
		CancellableScope inFlight = FailingStartConfiguration.inFlight.get();
		assertThat(inFlight).as("work begun before the start-up failed").isNotNull();
		assertThat(inFlight.cancellation()).map(Cancellation::reason).contains(CancellationReason.SHUTDOWN);
		inFlight.close();
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.withUserConfiguration(ScopedServiceConfiguration.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CancellableScope.class)
					.doesNotHaveBean(RequestScope.class)
					.doesNotHaveBean(ScopedMethodPostProcessor.class);
				assertThat(AopUtils.isAopProxy(context.getBean(ScopedService.class))).isFalse();
			});
	}

	@Test
	void userDefinedBeansTakePrecedence() {
		this.contextRunner.withUserConfiguration(UserBeansConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(CancellableScope.class).hasSingleBean(ScopeClock.class);
			assertThat(context.getBean(CancellableScope.class)).isSameAs(UserBeansConfiguration.scope);
			assertThat(context.getBean(ScopeClock.class)).isSameAs(UserBeansConfiguration.clock);
		});
	}

	@Test
	void applicationScopeUsesTheClockBeanAndCloseTimeout() {
		ManualScopeClock clock = new ManualScopeClock();
		this.contextRunner.withBean(ScopeClock.class, () -> clock)
			.withUserConfiguration(ScopedServiceConfiguration.class)
			.run((context) -> {
				ScopedService service = context.getBean(ScopedService.class);
				assertThat(service.deadlineCheck(clock)).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
			});
	}

	@Test
	void scopedMethodRunsInAChildOfTheApplicationScopeOutsideRequests() {
		this.contextRunner.withUserConfiguration(ScopedServiceConfiguration.class).run((context) -> {
			ScopedService service = context.getBean(ScopedService.class);
			assertThat(AopUtils.isCglibProxy(service)).isTrue();
			assertThat(RequestScope.find()).isEmpty();
			assertThat(service.remaining()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));
		});
	}

	@Test
	void scopedMethodCancelledWithItsCallersScope() {
		this.contextRunner.withUserConfiguration(ScopedServiceConfiguration.class).run((context) -> {
			ScopedService service = context.getBean(ScopedService.class);
			try (CancellableScope caller = context.getBean(CancellableScope.class).openChild()) {
				caller.cancel(CancellationReason.CLIENT_DISCONNECTED);
				assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(() -> caller.call(service::check))
					.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(CancellationReason.CLIENT_DISCONNECTED));
			}
		});
	}

	@Test
	void malformedScopedTimeoutFailsStartupNamingTheMethod() {
		this.contextRunner.withUserConfiguration(MalformedTimeoutConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("@Scoped(timeout = \"2 parsecs\")")
				.hasMessageContaining(MalformedTimeout.class.getName() + ".work()")
				.hasMessageContaining("\"500ms\""));
	}

	@Test
	void negativeScopedTimeoutFailsStartup() {
		this.contextRunner.withUserConfiguration(NegativeTimeoutConfiguration.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasMessageContaining("negative")
				.hasMessageContaining(NegativeTimeout.class.getName() + ".work()"));
	}

	@Test
	void scopedTimeoutPlaceholderIsResolved() {
		this.contextRunner.withPropertyValues("test.timeout=300ms")
			.withUserConfiguration(PlaceholderTimeoutConfiguration.class)
			.run((context) -> assertThat(context.getBean(PlaceholderTimeout.class).remaining())
				.isPositive()
				.isLessThanOrEqualTo(Duration.ofMillis(300)));
	}

	@Test
	void maxPlatformForkThreadsBoundsTheForksOfTheApplicationScope() {
		// forks run on platform threads on Java 17 to 20; the system property makes later ones do so too
		String forks = System.setProperty("cancelscope.forks", "platform");
		try {
			this.contextRunner.withPropertyValues("cancelscope.fork.max-platform-threads=1").run((context) -> {
				CountDownLatch release = new CountDownLatch(1);
				try (CancellableScope request = context.getBean(CancellableScope.class).openChild()) {
					Subtask<Boolean> running = request.fork(() -> release.await(10, TimeUnit.SECONDS));
					assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> request.fork(() -> 1))
						.withMessageContaining("All 1 fork threads")
						.withMessageContaining("cancelscope.fork.max-platform-threads");
					release.countDown();
					assertThat(running.join()).isTrue();
				}
			});
		}
		finally {
			if (forks != null) {
				System.setProperty("cancelscope.forks", forks);
			}
			else {
				System.clearProperty("cancelscope.forks");
			}
		}
	}

	@Test
	void forksCarryMicrometerContextWhenContextPropagationIsPresent() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ContextCapture.class));
	}

	@Test
	void forksCarryNothingWithoutContextPropagation() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ContextSnapshotFactory.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ContextCapture.class)
				.hasSingleBean(CancellableScope.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeansConfiguration {

		static final ScopeClock clock = new ManualScopeClock();

		static final CancellableScope scope = CancellableScope.root(ScopeSettings.defaults());

		@Bean
		ScopeClock userClock() {
			return clock;
		}

		@Bean
		CancellableScope userScope() {
			return scope;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ScopedServiceConfiguration {

		@Bean
		ScopedService scopedService() {
			return new ScopedService();
		}

	}

	static class ScopedService {

		@Scoped(timeout = "2s")
		Duration remaining() {
			return RequestScope.current().remaining().orElseThrow();
		}

		@Scoped
		String check() {
			RequestScope.current().throwIfCancelled();
			return "not cancelled";
		}

		@Scoped(timeout = "1s")
		CancellationReason deadlineCheck(ManualScopeClock clock) {
			clock.advance(Duration.ofSeconds(1));
			return RequestScope.current().cancellation().map(Cancellation::reason).orElse(null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MalformedTimeoutConfiguration {

		@Bean
		MalformedTimeout malformedTimeout() {
			return new MalformedTimeout();
		}

	}

	static class MalformedTimeout {

		@Scoped(timeout = "2 parsecs")
		void work() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NegativeTimeoutConfiguration {

		@Bean
		NegativeTimeout negativeTimeout() {
			return new NegativeTimeout();
		}

	}

	static class NegativeTimeout {

		@Scoped(timeout = "-1s")
		void work() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlaceholderTimeoutConfiguration {

		@Bean
		PlaceholderTimeout placeholderTimeout() {
			return new PlaceholderTimeout();
		}

	}

	@Scoped(timeout = "${test.timeout}")
	static class PlaceholderTimeout {

		Duration remaining() {
			return RequestScope.current().remaining().orElseThrow();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingStartConfiguration {

		static final AtomicReference<@Nullable CancellableScope> inFlight = new AtomicReference<>();

		// a request the web server took before a later phase failed to start
		@Bean
		SmartLifecycle requestInFlight(CancellableScope applicationScope) {
			return new TestLifecycle(0, () -> inFlight.set(applicationScope.openChild()));
		}

		@Bean
		SmartLifecycle failingStart() {
			return new TestLifecycle(Integer.MAX_VALUE, () -> {
				throw new IllegalStateException("failed to start");
			});
		}

	}

	private static final class TestLifecycle implements SmartLifecycle {

		private final int phase;

		private final Runnable start;

		private volatile boolean running;

		TestLifecycle(int phase, Runnable start) {
			this.phase = phase;
			this.start = start;
		}

		@Override
		public void start() {
			this.start.run();
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return this.phase;
		}

	}

}
