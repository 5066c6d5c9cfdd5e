package io.github.cancelscope.autoconfigure.observation;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.observation.ScopeObservationConvention;
import io.github.cancelscope.spi.ScopeObserver;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} that makes request scopes, start-up scopes and
 * {@link io.github.cancelscope.Scoped @Scoped} calls Micrometer observations.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnCancelScopeEnabled
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
public final class CancelScopeObservationAutoConfiguration {

	/** Name of the observer bean; define one with this name to replace it. */
	public static final String OBSERVER_BEAN_NAME = "cancelScopeObservations";

	@Bean(OBSERVER_BEAN_NAME)
	@ConditionalOnMissingBean(name = OBSERVER_BEAN_NAME)
	ScopeObserver cancelScopeObservations(ObservationRegistry registry,
			ObjectProvider<ScopeObservationConvention> convention) {
		return new ScopeObservations(registry, convention.getIfAvailable());
	}

}
