package io.github.cancelscope.autoconfigure.scheduling;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Scoped;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code @Scheduled} runs in a real application with Spring Boot's scheduler: each run is a scope
 * of kind {@code scheduled}, {@code @Scoped(timeout)} bounds it, and shutdown cancels a run still
 * going after the grace, whose cleanup runs. Metrics count the runs under their kind.
 */
class ScheduledRunIntegrationTests {

	@Test
	void eachRunIsAScheduledScopeThatAScopedTimeoutBoundsAndShutdownCancels() throws Exception {
		Jobs.reset();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(JobsApplication.class)
			.web(WebApplicationType.NONE)
			.run("--cancelscope.shutdown.grace=200ms", "--spring.task.scheduling.pool.size=4");
		try {
			assertThat(await(Jobs.described, "the plain run")).isEqualTo("scheduled Jobs.describe, a child of the application scope");
			assertThat(await(Jobs.bounded, "the run bounded by @Scoped(timeout)")).isEqualTo("DEADLINE_EXCEEDED");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			Awaitility.await("a scheduled scope counted by kind")
				.atMost(Duration.ofSeconds(20))
				.until(() -> meters.find("cancelscope.scopes.ended").tag("kind", "scheduled").counters().size() > 0);
			if (!Jobs.stuckStarted.await(20, TimeUnit.SECONDS)) {
				fail("the stuck run never started");
			}
		}
		finally {
			context.close();
		}
		assertThat(await(Jobs.stuckCleanup, "the stuck run's cleanup")).as("why the stuck run's scope ended")
			.isEqualTo("SHUTDOWN");
	}

	private static String await(CompletableFuture<String> future, String what) throws Exception {
		try {
			return future.get(20, TimeUnit.SECONDS);
		}
		catch (java.util.concurrent.TimeoutException ex) {
			return fail(what + " did not happen within 20 s");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableScheduling
	@Import(Jobs.class)
	static class JobsApplication {

	}

	static class Jobs {

		private final CancellableScope application;

		Jobs(CancellableScope application) {
			this.application = application;
		}

		static CompletableFuture<String> described;

		static CompletableFuture<String> bounded;

		static CountDownLatch stuckStarted;

		static CompletableFuture<String> stuckCleanup;

		static void reset() {
			described = new CompletableFuture<>();
			bounded = new CompletableFuture<>();
			stuckStarted = new CountDownLatch(1);
			stuckCleanup = new CompletableFuture<>();
		}

		@Scheduled(fixedDelay = 1, timeUnit = TimeUnit.HOURS)
		void describe() {
			RequestScope scope = RequestScope.current();
			boolean child = this.application.children().stream().anyMatch((c) -> c.id().equals(scope.id()));
			described.complete(scope.kind() + " " + scope.name() + (child ? ", a child of the application scope" : ""));
		}

		@Scheduled(fixedDelay = 1, timeUnit = TimeUnit.HOURS)
		@Scoped(timeout = "2s")
		void bounded() throws InterruptedException {
			RequestScope scope = RequestScope.current();
			try {
				scope.interruptible("test", () -> {
					Thread.sleep(30_000);
					return null;
				});
				bounded.complete("ran to the end");
			}
			catch (InterruptedException ex) {
				bounded.complete(scope.cancellation().map((c) -> c.reason().name()).orElse("interrupted, not cancelled"));
			}
		}

		@Scheduled(fixedDelay = 1, timeUnit = TimeUnit.HOURS)
		void stuck() throws InterruptedException {
			RequestScope scope = RequestScope.current();
			scope.defer(() -> stuckCleanup
				.complete(scope.cancellation().map((c) -> c.reason().name()).orElse("not cancelled")));
			stuckStarted.countDown();
			scope.interruptible("test", () -> {
				Thread.sleep(60_000);
				return null;
			});
		}

	}

}
