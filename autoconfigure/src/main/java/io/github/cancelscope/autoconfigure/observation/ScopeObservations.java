package io.github.cancelscope.autoconfigure.observation;

import java.util.function.Function;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ObservedScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancellation;
import io.github.cancelscope.ScopeEnd;
import io.github.cancelscope.ScopeObserver;
import io.github.cancelscope.autoconfigure.ScopeOrigin;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Makes each request scope, start-up scope and {@link io.github.cancelscope.Scoped @Scoped} call
 * an {@link Observation}, started when the scope opens and stopped when it has ended. The
 * observation is in scope wherever the scope is current, on the thread that runs it and in its
 * forked tasks, so spans made there are its children; a cancellation is an event on it.
 */
final class ScopeObservations implements ScopeObserver {

	private final ObservationRegistry registry;

	private final @Nullable ScopeObservationConvention convention;

	private final Function<String, @Nullable String> descriptions;

	private final ScopeOrigin.Resolver origins = new ScopeOrigin.Resolver();

	/**
	 * Creates the observer.
	 * @param registry the registry
	 * @param convention a convention to use instead of the default, or {@code null}
	 * @param descriptions the description of a scope in flight by id, such as {@code GET /orders}
	 */
	ScopeObservations(ObservationRegistry registry, @Nullable ScopeObservationConvention convention,
			Function<String, @Nullable String> descriptions) {
		this.registry = registry;
		this.convention = convention;
		this.descriptions = descriptions;
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		ScopeOrigin origin = this.origins.resolve(scope, parent);
		if (origin.kind() == ScopeOrigin.Kind.APPLICATION || origin.kind() == ScopeOrigin.Kind.CHILD
				|| this.registry.isNoop()) {
			return ObservedScope.NONE;
		}
		ScopeObservationContext context = new ScopeObservationContext(scope.id(), origin);
		Observation observation = CancelScopeObservationDocumentation.SCOPE
			.observation(this.convention, new DefaultScopeObservationConvention(), () -> context, this.registry)
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
		public <R, X extends Throwable> R bind(ScopedValue.CallableOp<? extends R, X> op) throws X {
			try (Observation.Scope scope = this.observation.openScope()) {
				return op.call();
			}
		}

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			this.context.setCancellationReason(cancellation.reason());
			this.observation.event(Observation.Event.of(CancelScopeObservationDocumentation.Events.CANCELLED.getName(),
					"cancelled " + cancellation.reason()));
		}

		@Override
		public void closed(ScopeEnd end) {
			ScopeOrigin.Kind kind = this.context.getOrigin().kind();
			if (kind == ScopeOrigin.Kind.REQUEST || kind == ScopeOrigin.Kind.STARTUP) {
				this.context.setDescription(ScopeObservations.this.descriptions.apply(this.context.getScopeId()));
			}
			this.context.setCancellationReason(end.cancellationReason());
			this.context.setStragglers(end.stragglers());
			this.context.setEnded(true);
			Throwable cause = end.cancellationCause();
			if (end.cancellationReason() == CancellationReason.SIBLING_FAILED && cause != null) {
				this.observation.error(cause);
			}
			else if (end.cleanupFailure() != null) {
				this.observation.error(end.cleanupFailure());
			}
			this.observation.stop();
		}

	}

}
