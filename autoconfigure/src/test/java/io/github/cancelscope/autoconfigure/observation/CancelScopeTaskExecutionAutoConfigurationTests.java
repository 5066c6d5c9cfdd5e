package io.github.cancelscope.autoconfigure.observation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeTaskExecutionAutoConfiguration}.
 */
class CancelScopeTaskExecutionAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
				CancelScopeTaskExecutionAutoConfiguration.class, TaskExecutionAutoConfiguration.class));

	@Test
	void taskSubmittedInAScopeKeepsItsIdInTheMdcButMayOutliveIt() {
		this.contextRunner.run((context) -> {
			AsyncTaskExecutor executor = context.getBean("applicationTaskExecutor", AsyncTaskExecutor.class);
			try (CancellableScope scope = context.getBean(CancellableScope.class).openChild()) {
				List<Object> seen = scope.call(() -> executor
					.submit(() -> List.<Object>of(String.valueOf(MDC.get("cancelscope.scope")),
							RequestScope.find().isPresent()))
					.get(10, TimeUnit.SECONDS));
				assertThat(seen).containsExactly(scope.id(), false);
			}
		});
	}

	@Test
	void boundTaskRunsInAChildScopeThatIsCancelledAndAwaitedWithIt() {
		this.contextRunner.withPropertyValues("cancelscope.async.bind-to-request=true").run((context) -> {
			AsyncTaskExecutor executor = context.getBean("applicationTaskExecutor", AsyncTaskExecutor.class);
			List<String> events = new CopyOnWriteArrayList<>();
			CountDownLatch running = new CountDownLatch(1);
			CancellableScope scope = context.getBean(CancellableScope.class).openChild();
			scope.call(() -> executor.submit(() -> {
				running.countDown();
				try {
					Thread.sleep(60_000);
				}
				catch (InterruptedException ex) {
					events.add("interrupted, cancelled " + RequestScope.current().cancellation().map(Cancellation::reason).orElse(null));
				}
			}));
			assertThat(running.await(10, TimeUnit.SECONDS)).as("the task runs").isTrue();
			scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
			scope.close();
			assertThat(events).containsExactly("interrupted, cancelled DEADLINE_EXCEEDED");
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context)
				.doesNotHaveBean(CancelScopeTaskExecutionAutoConfiguration.TASK_DECORATOR_BEAN_NAME));
	}

	@Test
	void userDefinedDecoratorTakesPrecedence() {
		TaskDecorator mine = (runnable) -> runnable;
		this.contextRunner
			.withBean(CancelScopeTaskExecutionAutoConfiguration.TASK_DECORATOR_BEAN_NAME, TaskDecorator.class, () -> mine)
			.run((context) -> assertThat(context)
				.getBean(CancelScopeTaskExecutionAutoConfiguration.TASK_DECORATOR_BEAN_NAME)
				.isSameAs(mine));
	}

}
