package io.github.cancelscope.autoconfigure.observation;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.autoconfigure.ScopeOrigin;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * Context of the observation of a cancellation scope.
 */
public class ScopeObservationContext extends Observation.Context {

	private final String scopeId;

	private final ScopeOrigin origin;

	private @Nullable String description;

	private boolean ended;

	private @Nullable CancellationReason cancellationReason;

	private int stragglers;

	/**
	 * Creates a context.
	 * @param scopeId the scope's id
	 * @param origin what opened the scope
	 */
	public ScopeObservationContext(String scopeId, ScopeOrigin origin) {
		this.scopeId = scopeId;
		this.origin = origin;
	}

	public String getScopeId() {
		return this.scopeId;
	}

	public ScopeOrigin getOrigin() {
		return this.origin;
	}

	/**
	 * Returns the description of a request or start-up scope, such as {@code GET /orders/42},
	 * known once the scope is in flight.
	 * @return the description, or {@code null}
	 */
	public @Nullable String getDescription() {
		return this.description;
	}

	public void setDescription(@Nullable String description) {
		this.description = description;
	}

	/**
	 * Returns whether the scope has ended.
	 * @return whether the scope has ended
	 */
	public boolean isEnded() {
		return this.ended;
	}

	public void setEnded(boolean ended) {
		this.ended = ended;
	}

	/**
	 * Returns why the scope was cancelled.
	 * @return the reason, or {@code null} while it has not been
	 */
	public @Nullable CancellationReason getCancellationReason() {
		return this.cancellationReason;
	}

	public void setCancellationReason(@Nullable CancellationReason cancellationReason) {
		this.cancellationReason = cancellationReason;
	}

	/**
	 * Returns how many forked tasks were still running when closing the scope stopped waiting.
	 * @return the number of stragglers
	 */
	public int getStragglers() {
		return this.stragglers;
	}

	public void setStragglers(int stragglers) {
		this.stragglers = stragglers;
	}

}
