package io.github.cancelscope.autoconfigure.scheduling;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeSchedulingAutoConfiguration}.
 */
class CancelScopeSchedulingAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CancelScopeAutoConfiguration.class, CancelScopeSchedulingAutoConfiguration.class));

	@Test
	void proxiesScheduledMethods() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ScheduledRunPostProcessor.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ScheduledRunPostProcessor.class));
	}

	@Test
	void backsOffWhenSchedulingIsSwitchedOff() {
		this.contextRunner.withPropertyValues("cancelscope.scheduling.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ScheduledRunPostProcessor.class));
	}

}
