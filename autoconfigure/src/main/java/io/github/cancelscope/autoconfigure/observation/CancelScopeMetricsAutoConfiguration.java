package io.github.cancelscope.autoconfigure.observation;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.spi.ScopeObserver;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} of the meters of cancellation scopes:
 * {@code cancelscope.scopes.active}, {@code cancelscope.scopes.ended},
 * {@code cancelscope.scopes.cancellation.duration}, {@code cancelscope.forks.stragglers} and
 * {@code cancelscope.regions.aborted}.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnCancelScopeEnabled
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public final class CancelScopeMetricsAutoConfiguration {

	/** Name of the observer bean; define one with this name to replace it. */
	public static final String OBSERVER_BEAN_NAME = "cancelScopeMetrics";

	@Bean(OBSERVER_BEAN_NAME)
	@ConditionalOnMissingBean(name = OBSERVER_BEAN_NAME)
	ScopeObserver cancelScopeMetrics(MeterRegistry registry) {
		return new ScopeMetrics(registry);
	}

}
