package io.github.cancelscope.autoconfigure.observation;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ObservedScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancellation;
import io.github.cancelscope.ScopeEnd;
import io.github.cancelscope.ScopeObserver;
import io.github.cancelscope.autoconfigure.ScopeOrigin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Meters of cancellation scopes: scopes in flight, scopes ended by outcome and reason, the time from
 * a cancellation to the scope having ended, forked tasks that outlived the close wait, and blocking
 * calls (JDBC statements, HTTP calls) aborted by a cancellation.
 */
final class ScopeMetrics implements ScopeObserver {

	/** Gauge of the scopes open now, by kind. */
	static final String ACTIVE = "cancelscope.scopes.active";

	/** Counter of the scopes that ended, by kind, outcome and reason. */
	static final String ENDED = "cancelscope.scopes.ended";

	/** Timer of the time from a scope's cancellation to its end, forks and cleanups included. */
	static final String CANCELLATION_DURATION = "cancelscope.scopes.cancellation.duration";

	/** Counter of forked tasks still running when closing their scope stopped waiting for them. */
	static final String STRAGGLERS = "cancelscope.forks.stragglers";

	/** Counter of abortable regions aborted by a cancellation, by region kind (jdbc, http, ...). */
	static final String REGIONS_ABORTED = "cancelscope.regions.aborted";

	private final MeterRegistry registry;

	private final Map<ScopeOrigin.Kind, AtomicInteger> active = new EnumMap<>(ScopeOrigin.Kind.class);

	private final ScopeOrigin.Resolver origins = new ScopeOrigin.Resolver();

	private final ObservedScope application = new Application();

	ScopeMetrics(MeterRegistry registry) {
		this.registry = registry;
		for (ScopeOrigin.Kind kind : ScopeOrigin.Kind.values()) {
			if (kind != ScopeOrigin.Kind.APPLICATION) {
				AtomicInteger count = new AtomicInteger();
				this.active.put(kind, count);
				Gauge.builder(ACTIVE, count, AtomicInteger::get)
					.description("Scopes open now")
					.tag("kind", kind.tag())
					.register(registry);
			}
		}
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		ScopeOrigin origin = this.origins.resolve(scope, parent);
		if (origin.kind() == ScopeOrigin.Kind.APPLICATION) {
			return this.application;
		}
		this.active.get(origin.kind()).incrementAndGet();
		return new Measured(origin.kind());
	}

	private void countAborted(ScopeCancellation cancellation) {
		// a cancellation that began elsewhere is counted there, descendants included
		if (cancellation.inherited()) {
			return;
		}
		cancellation.regionsAborted()
			.forEach((kind, count) -> Counter.builder(REGIONS_ABORTED)
				.description("Blocking calls aborted by a cancellation, by kind: jdbc statements, http calls, ...")
				.tag("kind", kind)
				.register(this.registry)
				.increment(count));
	}

	private final class Application implements ObservedScope {

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			countAborted(cancellation);
		}

	}

	private final class Measured implements ObservedScope {

		private final ScopeOrigin.Kind kind;

		Measured(ScopeOrigin.Kind kind) {
			this.kind = kind;
		}

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			countAborted(cancellation);
		}

		@Override
		public void closed(ScopeEnd end) {
			ScopeMetrics.this.active.get(this.kind).decrementAndGet();
			MeterRegistry registry = ScopeMetrics.this.registry;
			CancellationReason reason = end.cancellationReason();
			Counter.builder(ENDED)
				.description("Scopes that ended, by outcome and cancellation reason")
				.tag("kind", this.kind.tag())
				.tag("outcome", end.cancelled() ? "cancelled" : "completed")
				.tag("reason", (reason != null) ? reason.name() : "none")
				.register(registry)
				.increment();
			if (reason != null) {
				Timer.builder(CANCELLATION_DURATION)
					.description("Time from a scope's cancellation to its end, forked tasks and cleanups included")
					.tag("kind", this.kind.tag())
					.tag("reason", reason.name())
					.publishPercentiles(0.5, 0.95, 0.99)
					.register(registry)
					.record(Duration.ofNanos(end.nanosFromCancellation()));
			}
			if (end.stragglers() > 0) {
				Counter.builder(STRAGGLERS)
					.description("Forked tasks still running when closing their scope stopped waiting for them")
					.tag("kind", this.kind.tag())
					.register(registry)
					.increment(end.stragglers());
			}
		}

	}

}
