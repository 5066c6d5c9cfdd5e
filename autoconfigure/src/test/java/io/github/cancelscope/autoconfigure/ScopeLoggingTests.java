package io.github.cancelscope.autoconfigure;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ScopeLogging}: the scope id in the MDC, and one line per cancellation.
 */
@ExtendWith(OutputCaptureExtension.class)
class ScopeLoggingTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class));

	@Test
	void scopeIdIsInTheMdcOnTheRequestThreadAndInForksAndRemovedAfterwards() {
		this.contextRunner.run((context) -> {
			try (CancellableScope scope = context.getBean(CancellableScope.class).openChild()) {
				String id = scope.id();
				assertThat(scope.call(() -> MDC.get("cancelscope.scope"))).isEqualTo(id);
				assertThat(scope.call(() -> RequestScope.current().fork(() -> MDC.get("cancelscope.scope")).join()))
					.isEqualTo(id);
				try (CancellableScope child = scope.openChild()) {
					assertThat(scope.call(() -> child.call(() -> MDC.get("cancelscope.scope"))))
						.isEqualTo(child.id());
				}
			}
			assertThat(MDC.get("cancelscope.scope")).isNull();
		});
	}

	@Test
	void cancellationIsLoggedOnceWhereItBeganWithWhatItStoppedAndNoStackTrace(CapturedOutput output) {
		this.contextRunner.withPropertyValues("cancelscope.log.cancellation-level=warn").run((context) -> {
			CancellableScope scope = context.getBean(CancellableScope.class)
				.openChild(ScopeOptions.of(ScopeOptions.REQUEST).withDescription("GET /orders"));
			String id = scope.id();
			try (CancellableScope child = scope.openChild()) {
				scope.call(() -> RequestScope.current().fork(() -> {
					Thread.sleep(60_000);
					return null;
				}));
				scope.cancel(CancellationReason.SIBLING_FAILED, new IllegalStateException("stock changed"));
				scope.close();
			}
			assertThat(output).containsOnlyOnce("Cancelled")
				.contains("Cancelled request scope " + id + " (GET /orders) with SIBLING_FAILED after "
						+ "java.lang.IllegalStateException: stock changed; stopped 1 forked task, cancelled 1 child scope")
				.doesNotContain("\tat ");
		});
	}

	@Test
	void cancellationIsNotLoggedBelowTheConfiguredLevel(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			try (CancellableScope scope = context.getBean(CancellableScope.class).openChild()) {
				scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
			}
			assertThat(output).doesNotContain("Cancelled");
		});
	}

}
