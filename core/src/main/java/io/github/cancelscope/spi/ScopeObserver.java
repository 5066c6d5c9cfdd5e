package io.github.cancelscope.spi;

import java.util.List;

import io.github.cancelscope.RequestScope;
import org.jspecify.annotations.Nullable;

/**
 * Watches the scopes of a root and its descendants open, bind to threads, get cancelled and end:
 * the hook for tracing, metrics and logging. Set with {@link ScopeSettings#withObserver}.
 * <p>
 * {@link #opened} is called on the thread that opens a scope, before the scope is handed to its
 * owner, and returns the {@link ObservedScope callbacks} for the rest of that scope's life. The
 * scope's {@linkplain RequestScope#kind() kind}, {@linkplain RequestScope#name() name} and
 * {@linkplain RequestScope#description() description} are known by then. An observer that has
 * nothing to do for a scope returns {@link ObservedScope#NONE}, which costs the scope nothing more.
 * Observers must be quick, must not block and must not throw: they run on the hot path of every
 * request.
 */
@FunctionalInterface
public interface ScopeObserver {

	/** Observes nothing. */
	ScopeObserver NONE = (scope, parent) -> ObservedScope.NONE;

	/**
	 * Called when a scope opens, on the opening thread.
	 * @param scope the new scope
	 * @param parent its parent, or {@code null} for a root
	 * @return the callbacks for this scope, or {@link ObservedScope#NONE}
	 */
	ObservedScope opened(RequestScope scope, @Nullable RequestScope parent);

	/**
	 * Returns an observer that tells each of {@code observers}, in order.
	 * @param observers the observers
	 * @return the combined observer, {@link #NONE} if there are none
	 */
	static ScopeObserver of(List<? extends ScopeObserver> observers) {
		List<ScopeObserver> all = observers.stream()
			.filter((observer) -> observer != NONE)
			.map(ScopeObserver.class::cast)
			.toList();
		if (all.isEmpty()) {
			return NONE;
		}
		if (all.size() == 1) {
			return all.get(0);
		}
		return new CompositeScopeObserver(all);
	}

}
