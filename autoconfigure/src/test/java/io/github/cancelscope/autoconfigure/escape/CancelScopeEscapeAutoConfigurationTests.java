package io.github.cancelscope.autoconfigure.escape;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.actuate.CancelScopeEndpoint;
import io.github.cancelscope.autoconfigure.actuate.CancelScopeEndpointAutoConfiguration;
import io.github.cancelscope.test.AllowLeaks;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeEscapeAutoConfiguration}.
 */
class CancelScopeEscapeAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class, EndpointAutoConfiguration.class,
				CancelScopeEndpointAutoConfiguration.class, CancelScopeEscapeAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=cancelscope");

	@Test
	void isOffByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(EscapedThreads.class).doesNotHaveBean(EscapeWatch.class);
			assertThat(context.getBean(CancelScopeEndpoint.class).scopes().escaped()).isNull();
		});
	}

	@Test
	void backsOffWhenCancelScopeIsDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false", "cancelscope.escaped.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean(EscapedThreads.class));
	}

	@Test
	@AllowLeaks(threads = "escaped-in-test", reason = "the thread escapes its scope on purpose and ends at once after")
	void watchesUnitsOfWorkOfTheApplicationScopeWhenEnabled() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("cancelscope.escaped.enabled=true", "cancelscope.escaped.keep=1")
			.run((context) -> {
				assertThat(context).hasSingleBean(EscapeWatch.class).hasSingleBean(EscapeCounter.class);
				CancellableScope application = context.getBean(CancellableScope.class);
				java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
				Thread escaped;
				try (CancellableScope job = application.openChild(ScopeOptions.of("job").withDescription("nightly"))) {
					escaped = job.call(() -> {
						Thread thread = new Thread(() -> {
							try {
								release.await();
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
							}
						}, "escaped-in-test");
						thread.start();
						return thread;
					});
				}
				try {
					assertThat(context.getBean(MeterRegistry.class)
						.get(EscapeCounter.METER_NAME)
						.tags("kind", "job", "thread", "platform")
						.counter()
						.count()).isEqualTo(1);
					assertThat(context.getBean(CancelScopeEndpoint.class).scopes().escaped()).singleElement()
						.satisfies((listed) -> {
							assertThat(listed.threadName()).isEqualTo("escaped-in-test");
							assertThat(listed.scopeKind()).isEqualTo("job");
							assertThat(listed.scopeDescription()).isEqualTo("nightly");
						});
				}
				finally {
					release.countDown();
					escaped.join(30_000);
				}
			});
	}

	@Test
	void keepsTheMostRecentEscapesOnly() {
		EscapedThreads escaped = new EscapedThreads(2, (thread) -> {
		});
		for (int i = 1; i <= 3; i++) {
			escaped.add(new EscapedThread(i, "t" + i, false, "WAITING", java.util.List.of(), "request", "s" + i,
					"GET /" + i, java.time.Instant.EPOCH, "http-1", java.util.List.of()));
		}
		assertThat(escaped.recent()).extracting(EscapedThread::threadName).containsExactly("t3", "t2");
	}

	@Test
	void countsWithoutMicrometerOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.withPropertyValues("cancelscope.escaped.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(EscapeWatch.class).doesNotHaveBean(EscapeCounter.class));
	}

	@Test
	void refusesANegativeKeepWithAMessageThatSaysWhatToDo() {
		this.contextRunner.withPropertyValues("cancelscope.escaped.enabled=true", "cancelscope.escaped.keep=-1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("cancelscope.escaped.keep must be 0 or more"));
	}

}
