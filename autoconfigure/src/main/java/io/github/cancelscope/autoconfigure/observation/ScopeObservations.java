package io.github.cancelscope.autoconfigure.observation;

import java.util.Set;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.observation.CancelScopeObservationDocumentation;
import io.github.cancelscope.observation.DefaultScopeObservationConvention;
import io.github.cancelscope.observation.ScopeObservationContext;
import io.github.cancelscope.observation.ScopeObservationConvention;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeCancellation;
import io.github.cancelscope.spi.ScopeEnd;
import io.github.cancelscope.spi.ScopeObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Makes each request scope, start-up scope and {@link io.github.cancelscope.Scoped @Scoped} call
 * (every scope but the application scope and the plain children and groups inside others) an
 * {@link Observation}, started when the scope opens and stopped when it has ended. The
 * observation is in scope wherever the scope is current, on the thread that runs it and in its
 * forked tasks, so spans made there are its children; a cancellation is an event on it.
 */
final class ScopeObservations implements ScopeObserver {

	private final ObservationRegistry registry;

	// scopes that are only parts of the work of another, or the root of all
	private static final Set<String> UNOBSERVED = Set.of(ScopeOptions.APPLICATION, ScopeOptions.CHILD,
			ScopeOptions.GROUP);

	private final @Nullable ScopeObservationConvention convention;

	// one for all scopes: it keeps the key values of each kind and name
	private final DefaultScopeObservationConvention defaultConvention = new DefaultScopeObservationConvention();

	/**
	 * Creates the observer.
	 * @param registry the registry
	 * @param convention a convention to use instead of the default, or {@code null}
	 */
	ScopeObservations(ObservationRegistry registry, @Nullable ScopeObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		if (UNOBSERVED.contains(scope.kind()) || this.registry.isNoop()) {
			return ObservedScope.NONE;
		}
		ScopeObservationContext context = new ScopeObservationContext(scope.id(), scope.kind(), scope.name(),
				scope.description());
		Observation observation = CancelScopeObservationDocumentation.SCOPE
			.observation(this.convention, this.defaultConvention, () -> context, this.registry)
			.start();
		return new Observed(observation, context);
	}

	private final class Observed implements ObservedScope {

		private final Observation observation;

		private final ScopeObservationContext context;

		Observed(Observation observation, ScopeObservationContext context) {
			this.observation = observation;
			this.context = context;
		}

		@Override
		public <R, X extends Throwable> R bind(CheckedCallable<? extends R, X> op) throws X {
			try (Observation.Scope scope = this.observation.openScope()) {
				return op.call();
			}
		}

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			CancellationReason reason = cancellation.cancellation().reason();
			this.context.setCancellationReason(reason);
			this.observation.event(Observation.Event.of(CancelScopeObservationDocumentation.Events.CANCELLED.getName(),
					"cancelled " + reason));
		}

		@Override
		public void closed(ScopeEnd end) {
			Cancellation cancellation = end.cancellation();
			this.context.setCancellationReason((cancellation != null) ? cancellation.reason() : null);
			this.context.setStragglers(end.stragglers());
			this.context.setEnded(true);
			Throwable cause = (cancellation != null) ? cancellation.cause() : null;
			if (cause != null && cancellation.reason() == CancellationReason.SIBLING_FAILED) {
				this.observation.error(cause);
			}
			else if (end.cleanupFailure() != null) {
				this.observation.error(end.cleanupFailure());
			}
			this.observation.stop();
		}

	}

}
