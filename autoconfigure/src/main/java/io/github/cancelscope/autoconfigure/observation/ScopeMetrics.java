package io.github.cancelscope.autoconfigure.observation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.spi.ExecutorSaturation;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeCancellation;
import io.github.cancelscope.spi.ScopeEnd;
import io.github.cancelscope.spi.ScopeObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Meters of cancellation scopes: scopes in flight, scopes ended by outcome and reason, the time from
 * a cancellation to the scope having ended, forked tasks that outlived the close wait, blocking
 * calls (JDBC statements, HTTP calls) aborted by a cancellation, and the saturations of the bounded
 * executors that run cancellation work.
 */
final class ScopeMetrics implements ScopeObserver {

	/** Gauge of the scopes open now, by kind; kinds other than these are added when first seen. */
	static final String ACTIVE = "cancelscope.scopes.active";

	/** Counter of the scopes that ended, by kind, outcome and reason. */
	static final String ENDED = "cancelscope.scopes.ended";

	/** Timer of the time from a scope's cancellation to its end, forks and cleanups included. */
	static final String CANCELLATION_DURATION = "cancelscope.scopes.cancellation.duration";

	/** Counter of forked tasks still running when closing their scope stopped waiting for them. */
	static final String STRAGGLERS = "cancelscope.forks.stragglers";

	/** Counter of abortable regions aborted by a cancellation, by region kind (jdbc, http, ...). */
	static final String REGIONS_ABORTED = "cancelscope.regions.aborted";

	/**
	 * Counter of the times a bounded executor of cancellation work was full, by executor
	 * (deadlines, jdbc, disconnect); the work then ran another safe way.
	 */
	static final String EXECUTOR_SATURATIONS = "cancelscope.executor.saturations";

	private static final List<String> EXECUTORS = List.of(ExecutorSaturation.DEADLINES, ExecutorSaturation.JDBC,
			"disconnect");

	private final MeterRegistry registry;

	private static final List<String> KNOWN_KINDS = List.of(ScopeOptions.REQUEST, ScopeOptions.STARTUP,
			ScopeOptions.METHOD, ScopeOptions.GROUP, ScopeOptions.CHILD);

	// by kind: the gauge's count and the counter of scopes that completed, made once
	private final Map<String, KindMeters> kinds = new ConcurrentHashMap<>();

	private final ObservedScope application = new Application();

	ScopeMetrics(MeterRegistry registry) {
		this.registry = registry;
		KNOWN_KINDS.forEach(this::metersOf);
		EXECUTORS.forEach((executor) -> FunctionCounter
			.builder(EXECUTOR_SATURATIONS, executor, ExecutorSaturation::count)
			.description("Times a bounded executor of cancellation work was full")
			.tag("executor", executor)
			.register(registry));
	}

	private KindMeters metersOf(String kind) {
		return this.kinds.computeIfAbsent(kind, (key) -> {
			LongAdder active = new LongAdder();
			Gauge.builder(ACTIVE, active, LongAdder::doubleValue)
				.description("Scopes open now")
				.tag("kind", key)
				.register(this.registry);
			return new KindMeters(key, active);
		});
	}

	private Counter ended(String kind, @Nullable Cancellation cancellation) {
		return Counter.builder(ENDED)
			.description("Scopes that ended, by outcome and cancellation reason")
			.tag("kind", kind)
			.tag("outcome", (cancellation != null) ? "cancelled" : "completed")
			.tag("reason", (cancellation != null) ? cancellation.reason().name() : "none")
			.register(this.registry);
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		if (scope.kind().equals(ScopeOptions.APPLICATION)) {
			return this.application;
		}
		KindMeters meters = metersOf(scope.kind());
		meters.active.increment();
		return meters;
	}

	/**
	 * The meters of one kind that every scope of it touches, each looked up once: looking a meter
	 * up by its tags for each request costs more than the rest of the metrics together. It observes
	 * every scope of its kind, so that a scope opens without an object of its own here, and counts
	 * the scopes open on a {@link LongAdder}, which the request threads of different cores do not
	 * write in the same place.
	 */
	private final class KindMeters implements ObservedScope {

		private final String kind;

		private final LongAdder active;

		// registered when the first scope of the kind completes; a race registers it twice, harmlessly
		private volatile @Nullable Counter completed;

		KindMeters(String kind, LongAdder active) {
			this.kind = kind;
			this.active = active;
		}

		Counter completed() {
			Counter completed = this.completed;
			if (completed == null) {
				completed = ended(this.kind, null);
				this.completed = completed;
			}
			return completed;
		}

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			countAborted(cancellation);
		}

		@Override
		public void closed(ScopeEnd end) {
			this.active.decrement();
			String kind = this.kind;
			Cancellation cancellation = end.cancellation();
			if (cancellation == null) {
				completed().increment();
			}
			else {
				ended(kind, cancellation).increment();
				Timer.builder(CANCELLATION_DURATION)
					.description("Time from a scope's cancellation to its end, forked tasks and cleanups included")
					.tag("kind", kind)
					.tag("reason", cancellation.reason().name())
					.publishPercentiles(0.5, 0.95, 0.99)
					.register(ScopeMetrics.this.registry)
					.record(Duration.ofNanos(end.nanosFromCancellation()));
			}
			if (end.stragglers() > 0) {
				Counter.builder(STRAGGLERS)
					.description("Forked tasks still running when closing their scope stopped waiting for them")
					.tag("kind", kind)
					.register(ScopeMetrics.this.registry)
					.increment(end.stragglers());
			}
		}

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

}
