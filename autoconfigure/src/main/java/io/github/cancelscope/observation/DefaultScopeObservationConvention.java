package io.github.cancelscope.observation;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.observation.CancelScopeObservationDocumentation.HighCardinalityKeyNames;
import io.github.cancelscope.observation.CancelScopeObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * Default {@link ScopeObservationConvention}: observations named {@code cancelscope.scope}, keyed by
 * kind, name, outcome and cancellation reason.
 */
public class DefaultScopeObservationConvention implements ScopeObservationConvention {

	/** Name of the observations, and of the timer a meter handler makes of them. */
	public static final String NAME = "cancelscope.scope";

	private static final KeyValue OUTCOME_UNKNOWN = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "unknown");

	private static final KeyValue OUTCOME_COMPLETED = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "completed");

	private static final KeyValue OUTCOME_CANCELLED = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "cancelled");

	private static final KeyValue REASON_NONE = KeyValue.of(LowCardinalityKeyNames.REASON, "none");

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(ScopeObservationContext context) {
		return context.getKind().equals(ScopeOptions.METHOD) ? context.getScopeName() : context.getKind() + " scope";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(ScopeObservationContext context) {
		CancellationReason reason = context.getCancellationReason();
		KeyValue outcome = !context.isEnded() ? OUTCOME_UNKNOWN
				: (reason != null) ? OUTCOME_CANCELLED : OUTCOME_COMPLETED;
		return KeyValues.of(KeyValue.of(LowCardinalityKeyNames.KIND, context.getKind()),
				KeyValue.of(LowCardinalityKeyNames.NAME, context.getScopeName()), outcome,
				(reason != null) ? KeyValue.of(LowCardinalityKeyNames.REASON, reason.name()) : REASON_NONE);
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ScopeObservationContext context) {
		return KeyValues.of(KeyValue.of(HighCardinalityKeyNames.SCOPE_ID, context.getScopeId()),
				KeyValue.of(HighCardinalityKeyNames.DESCRIPTION, context.getDescription()));
	}

}
