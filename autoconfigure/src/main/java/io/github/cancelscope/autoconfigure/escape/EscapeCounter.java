package io.github.cancelscope.autoconfigure.escape;

import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts escaped threads as {@code cancelscope.escaped}, tagged with the {@code kind} of the unit
 * of work that started them ({@code request}, {@code grpc}, {@code scheduled}, {@code startup}, or
 * the kind given to {@code ScopeOptions}) and the {@code thread} kind ({@code platform} or
 * {@code virtual}).
 */
final class EscapeCounter implements Consumer<EscapedThread> {

	static final String METER_NAME = "cancelscope.escaped";

	private final MeterRegistry registry;

	EscapeCounter(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void accept(EscapedThread escaped) {
		Counter.builder(METER_NAME)
			.description("Threads that a unit of work started and that were still alive when it ended")
			.tag("kind", escaped.scopeKind())
			.tag("thread", escaped.virtual() ? "virtual" : "platform")
			.register(this.registry)
			.increment();
	}

}
