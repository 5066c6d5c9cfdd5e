package io.github.cancelscope.observation;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeOptions;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DefaultScopeObservationConvention}.
 */
class DefaultScopeObservationConventionTests {

	private final DefaultScopeObservationConvention convention = new DefaultScopeObservationConvention();

	@Test
	void keysFollowTheScopeFromOpenToCompleted() {
		ScopeObservationContext context = context("request", "request");
		assertThat(lowCardinality(context)).containsExactlyInAnyOrderEntriesOf(Map.of("cancelscope.kind", "request",
				"cancelscope.name", "request", "cancelscope.outcome", "unknown", "cancelscope.reason", "none"));
		context.setEnded(true);
		assertThat(lowCardinality(context)).containsEntry("cancelscope.outcome", "completed")
			.containsEntry("cancelscope.reason", "none");
	}

	@Test
	void aCancelledScopeHasItsReasonBeforeAndAfterItEnds() {
		ScopeObservationContext context = context("request", "request");
		context.setCancellationReason(CancellationReason.DEADLINE_EXCEEDED);
		assertThat(lowCardinality(context)).containsEntry("cancelscope.outcome", "unknown")
			.containsEntry("cancelscope.reason", "DEADLINE_EXCEEDED");
		context.setEnded(true);
		assertThat(lowCardinality(context)).containsEntry("cancelscope.outcome", "cancelled")
			.containsEntry("cancelscope.reason", "DEADLINE_EXCEEDED")
			.containsEntry("cancelscope.kind", "request");
		// the next scope of the kind completes, unmarked by the cancelled one
		ScopeObservationContext next = context("request", "request");
		next.setEnded(true);
		assertThat(lowCardinality(next)).containsEntry("cancelscope.outcome", "completed")
			.containsEntry("cancelscope.reason", "none");
	}

	@Test
	void theKeysOfAKindAndNameAreMadeOnceAndKeptApartFromOtherKindsOfTheSameName() {
		KeyValues first = this.convention.getLowCardinalityKeyValues(context("request", "orders"));
		assertThat(this.convention.getLowCardinalityKeyValues(context("request", "orders"))).isSameAs(first);
		assertThat(lowCardinality(context("kafka", "orders"))).containsEntry("cancelscope.kind", "kafka")
			.containsEntry("cancelscope.name", "orders");
		assertThat(lowCardinality(context("request", "orders"))).containsEntry("cancelscope.kind", "request");
	}

	@Test
	void namesPastTheCacheStillGetTheirOwnKeys() {
		for (int i = 0; i < 3000; i++) {
			ScopeObservationContext context = context(ScopeOptions.METHOD, "Type.method" + i);
			context.setEnded(true);
			assertThat(lowCardinality(context)).containsEntry("cancelscope.name", "Type.method" + i)
				.containsEntry("cancelscope.outcome", "completed");
			assertThat(this.convention.getContextualName(context)).isEqualTo("Type.method" + i);
		}
	}

	@Test
	void contextualNameIsTheMethodForScopedCallsAndTheKindOtherwise() {
		assertThat(this.convention.getContextualName(context(ScopeOptions.METHOD, "OrderService.place")))
			.isEqualTo("OrderService.place");
		assertThat(this.convention.getContextualName(context("request", "request"))).isEqualTo("request scope");
		assertThat(this.convention.getContextualName(context("startup", "Loader"))).isEqualTo("startup scope");
	}

	@Test
	void highCardinalityKeysAreTheScopesIdAndDescription() {
		assertThat(this.convention.getHighCardinalityKeyValues(context("request", "request")))
			.containsExactlyInAnyOrder(KeyValue.of("cancelscope.scope.id", "7"),
					KeyValue.of("cancelscope.description", "GET /orders/42"));
	}

	private static ScopeObservationContext context(String kind, String name) {
		return new ScopeObservationContext("7", kind, name, "GET /orders/42");
	}

	private Map<String, String> lowCardinality(ScopeObservationContext context) {
		return StreamSupport.stream(this.convention.getLowCardinalityKeyValues(context).spliterator(), false)
			.collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
	}

}
