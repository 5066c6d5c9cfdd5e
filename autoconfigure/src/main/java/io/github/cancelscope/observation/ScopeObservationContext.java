package io.github.cancelscope.observation;

import io.github.cancelscope.CancellationReason;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * Context of the observation of a cancellation scope.
 */
public class ScopeObservationContext extends Observation.Context {

	private final String scopeId;

	private final String kind;

	private final String scopeName;

	private final String description;

	private boolean ended;

	private @Nullable CancellationReason cancellationReason;

	private int stragglers;

	/**
	 * Creates a context of a scope, as named when it was opened.
	 * @param scopeId the scope's id
	 * @param kind what opened the scope, such as {@code request}
	 * @param scopeName the scope's name, of bounded cardinality
	 * @param description what the scope does, for people, such as {@code GET /orders/42}
	 */
	public ScopeObservationContext(String scopeId, String kind, String scopeName, String description) {
		this.scopeId = scopeId;
		this.kind = kind;
		this.scopeName = scopeName;
		this.description = description;
	}

	/**
	 * Returns the scope's {@linkplain io.github.cancelscope.RequestScope#id() id}.
	 * @return the id
	 */
	public String getScopeId() {
		return this.scopeId;
	}

	/**
	 * Returns what opened the scope: {@code request}, {@code startup}, {@code method}, or an
	 * integration's own kind.
	 * @return the kind
	 */
	public String getKind() {
		return this.kind;
	}

	/**
	 * Returns the scope's name, of bounded cardinality: {@code request}, the runner's class, or the
	 * {@code @Scoped} method as {@code Type.method}.
	 * @return the name
	 */
	public String getScopeName() {
		return this.scopeName;
	}

	/**
	 * Returns what the scope does, for people, such as {@code GET /orders/42}.
	 * @return the description
	 */
	public String getDescription() {
		return this.description;
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
