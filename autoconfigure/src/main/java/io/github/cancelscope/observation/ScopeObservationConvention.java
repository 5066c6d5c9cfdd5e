package io.github.cancelscope.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * {@link ObservationConvention} for the observations of cancellation scopes. Define a bean of this
 * type to replace {@link DefaultScopeObservationConvention}.
 */
public interface ScopeObservationConvention extends ObservationConvention<ScopeObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof ScopeObservationContext;
	}

}
