package io.github.cancelscope.observation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.observation.CancelScopeObservationDocumentation.HighCardinalityKeyNames;
import io.github.cancelscope.observation.CancelScopeObservationDocumentation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * Default {@link ScopeObservationConvention}: observations named {@code cancelscope.scope}, keyed by
 * kind, name, outcome and cancellation reason.
 * <p>
 * The key values of a kind and name that the observation of every scope of it asks for when it
 * starts and when it completes are made once, as is its contextual name: building them for each
 * request cost more than the rest of this convention. Names are of bounded cardinality; past
 * {@value #MAX_CACHED_NAMES} per kind, the key values of further names are made each time.
 */
public class DefaultScopeObservationConvention implements ScopeObservationConvention {

	/** Name of the observations, and of the timer a meter handler makes of them. */
	public static final String NAME = "cancelscope.scope";

	private static final KeyValue OUTCOME_UNKNOWN = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "unknown");

	private static final KeyValue OUTCOME_COMPLETED = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "completed");

	private static final KeyValue OUTCOME_CANCELLED = KeyValue.of(LowCardinalityKeyNames.OUTCOME, "cancelled");

	private static final KeyValue REASON_NONE = KeyValue.of(LowCardinalityKeyNames.REASON, "none");

	private static final int MAX_CACHED_NAMES = 1024;

	// by kind, then by name
	private final Map<String, Map<String, Named>> named = new ConcurrentHashMap<>();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(ScopeObservationContext context) {
		return named(context).contextualName();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(ScopeObservationContext context) {
		Named named = named(context);
		CancellationReason reason = context.getCancellationReason();
		if (reason == null) {
			return context.isEnded() ? named.completed() : named.open();
		}
		return KeyValues.of(named.kind(), named.name(), context.isEnded() ? OUTCOME_CANCELLED : OUTCOME_UNKNOWN,
				KeyValue.of(LowCardinalityKeyNames.REASON, reason.name()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ScopeObservationContext context) {
		return KeyValues.of(KeyValue.of(HighCardinalityKeyNames.SCOPE_ID, context.getScopeId()),
				KeyValue.of(HighCardinalityKeyNames.DESCRIPTION, context.getDescription()));
	}

	private Named named(ScopeObservationContext context) {
		String kind = context.getKind();
		String name = context.getScopeName();
		Map<String, Named> ofKind = this.named.get(kind);
		if (ofKind == null) {
			ofKind = this.named.computeIfAbsent(kind, (key) -> new ConcurrentHashMap<>());
		}
		Named named = ofKind.get(name);
		if (named == null) {
			named = Named.of(kind, name);
			if (ofKind.size() < MAX_CACHED_NAMES) {
				ofKind.putIfAbsent(name, named);
			}
		}
		return named;
	}

	/**
	 * What a kind and name contribute to each of its observations.
	 */
	private record Named(KeyValue kind, KeyValue name, KeyValues open, KeyValues completed, String contextualName) {

		static Named of(String kind, String name) {
			KeyValue kindKey = KeyValue.of(LowCardinalityKeyNames.KIND, kind);
			KeyValue nameKey = KeyValue.of(LowCardinalityKeyNames.NAME, name);
			return new Named(kindKey, nameKey, KeyValues.of(kindKey, nameKey, OUTCOME_UNKNOWN, REASON_NONE),
					KeyValues.of(kindKey, nameKey, OUTCOME_COMPLETED, REASON_NONE),
					kind.equals(ScopeOptions.METHOD) ? name : kind + " scope");
		}

	}

}
