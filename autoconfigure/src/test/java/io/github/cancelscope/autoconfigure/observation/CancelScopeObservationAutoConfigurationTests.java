package io.github.cancelscope.autoconfigure.observation;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeObserver;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeObservationAutoConfiguration}.
 */
class CancelScopeObservationAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
				CancelScopeObservationAutoConfiguration.class))
		.withBean(ObservationRegistry.class, TestObservationRegistry::create);

	@Test
	void observesScopesWhenThereIsAnObservationRegistry() {
		this.contextRunner.run((context) -> assertThat(context)
			.getBean(CancelScopeObservationAutoConfiguration.OBSERVER_BEAN_NAME)
			.isInstanceOf(ScopeObservations.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CancelScopeObservationAutoConfiguration.OBSERVER_BEAN_NAME));
	}

	@Test
	void backsOffWithoutAnObservationRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
					CancelScopeObservationAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(CancelScopeObservationAutoConfiguration.OBSERVER_BEAN_NAME));
	}

	@Test
	void isIgnoredWhenMicrometerObservationIsNotOnTheClasspath() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
					CancelScopeObservationAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(CancelScopeObservationAutoConfiguration.OBSERVER_BEAN_NAME));
	}

	@Test
	void userDefinedObserverTakesPrecedence() {
		ScopeObserver mine = (scope, parent) -> ObservedScope.NONE;
		this.contextRunner.withBean(CancelScopeObservationAutoConfiguration.OBSERVER_BEAN_NAME, ScopeObserver.class,
				() -> mine)
			.run((context) -> assertThat(context).getBean(CancelScopeObservationAutoConfiguration.OBSERVER_BEAN_NAME)
				.isSameAs(mine));
	}

}
