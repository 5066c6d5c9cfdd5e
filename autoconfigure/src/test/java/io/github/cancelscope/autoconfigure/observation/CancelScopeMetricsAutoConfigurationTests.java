package io.github.cancelscope.autoconfigure.observation;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeMetricsAutoConfiguration}.
 */
class CancelScopeMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
				CancelScopeMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@Test
	void metersScopesOfTheApplicationScope() {
		this.contextRunner.run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			CancellableScope application = context.getBean(CancellableScope.class);
			CancellableScope first = application.openChild(ScopeOptions.of(ScopeOptions.REQUEST));
			assertThat(meters.get(ScopeMetrics.ACTIVE).tag("kind", "request").gauge().value()).isOne();
			first.close();
			CancellableScope second = application.openChild(ScopeOptions.of(ScopeOptions.REQUEST));
			second.abortable("jdbc", () -> {
			}, () -> second.cancel(CancellationReason.CANCELLED));
			second.close();
			assertThat(meters.get(ScopeMetrics.ACTIVE).tag("kind", "request").gauge().value()).isZero();
			assertThat(meters.get(ScopeMetrics.ENDED).tags("outcome", "completed", "reason", "none").counter().count())
				.isOne();
			assertThat(meters.get(ScopeMetrics.ENDED).tags("outcome", "cancelled", "reason", "CANCELLED").counter().count())
				.isOne();
			assertThat(meters.get(ScopeMetrics.REGIONS_ABORTED).tag("kind", "jdbc").counter().count()).isOne();
			assertThat(meters.get(ScopeMetrics.CANCELLATION_DURATION).tag("reason", "CANCELLED").timer().count()).isOne();
		});
	}

	@Test
	void scopesOfAnIntegrationsOwnKindAreMeteredByThatKind() {
		this.contextRunner.run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			try (CancellableScope call = context.getBean(CancellableScope.class)
				.openChild(ScopeOptions.of("grpc", "Orders/Get"))) {
				assertThat(meters.get(ScopeMetrics.ACTIVE).tag("kind", "grpc").gauge().value()).isOne();
			}
			assertThat(meters.get(ScopeMetrics.ENDED).tags("kind", "grpc", "outcome", "completed").counter().count())
				.isOne();
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CancelScopeMetricsAutoConfiguration.OBSERVER_BEAN_NAME));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
					CancelScopeMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(CancelScopeMetricsAutoConfiguration.OBSERVER_BEAN_NAME));
	}

	@Test
	void isIgnoredWhenMicrometerIsNotOnTheClasspath() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
					CancelScopeMetricsAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(CancelScopeMetricsAutoConfiguration.OBSERVER_BEAN_NAME));
	}

	@Test
	void userDefinedObserverTakesPrecedence() {
		ScopeObserver mine = (scope, parent) -> ObservedScope.NONE;
		this.contextRunner.withBean(CancelScopeMetricsAutoConfiguration.OBSERVER_BEAN_NAME, ScopeObserver.class,
				() -> mine)
			.run((context) -> assertThat(context).getBean(CancelScopeMetricsAutoConfiguration.OBSERVER_BEAN_NAME)
				.isSameAs(mine));
	}

}
