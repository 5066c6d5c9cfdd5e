package io.github.cancelscope;

import java.util.HashMap;
import java.util.Map;

import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeCancellation;
import io.github.cancelscope.spi.ScopeEnd;
import io.github.cancelscope.spi.ScopeObserver;
import org.jspecify.annotations.Nullable;

/**
 * Tells a scope's observer what happens to it. The observer is user code: a failure of it is
 * logged and never keeps a scope from working. Failures of {@link ObservedScope#bind} are not
 * handled here: they are the failures of the work.
 */
final class ScopeEvents {

	private static final System.Logger logger = System.getLogger(CancellableScope.class.getName());

	private ScopeEvents() {
	}

	static ObservedScope opened(ScopeObserver observer, RequestScope scope, @Nullable RequestScope parent) {
		if (observer == ScopeObserver.NONE) {
			return ObservedScope.NONE;
		}
		try {
			return observer.opened(scope, parent);
		}
		catch (Throwable ex) {
			failed("opened", scope.id(), ex);
			return ObservedScope.NONE;
		}
	}

	static void cancelled(ObservedScope observed, String scopeId, Cancellation cancellation, boolean inherited,
			Tally tally) {
		try {
			observed.cancelled(new Cancelled(cancellation, inherited, tally.forks, Map.copyOf(tally.regions),
					tally.scopes));
		}
		catch (Throwable ex) {
			failed("cancelled", scopeId, ex);
		}
	}

	static void closed(ObservedScope observed, String scopeId, @Nullable Cancellation cancellation,
			long nanosFromCancellation, int stragglers, @Nullable Throwable cleanupFailure) {
		try {
			observed.closed(new Ended(cancellation, nanosFromCancellation, stragglers, cleanupFailure));
		}
		catch (Throwable ex) {
			failed("closed", scopeId, ex);
		}
	}

	private static void failed(String callback, String scopeId, Throwable failure) {
		logger.log(System.Logger.Level.WARNING,
				"The scope observer failed in " + callback + " for scope " + scopeId + "; the scope goes on", failure);
	}

	/**
	 * What a cancellation stopped, in a scope and its descendants; counted only when an observer
	 * watches.
	 */
	static final class Tally {

		private final Map<String, Integer> regions = new HashMap<>(4);

		private int forks;

		private int scopes;

		void regionAborted(String kind) {
			this.regions.merge(kind, 1, Integer::sum);
		}

		void forksStopped(int count) {
			this.forks += count;
		}

		void add(Tally child) {
			this.forks += child.forks;
			this.scopes += 1 + child.scopes;
			child.regions.forEach((kind, count) -> this.regions.merge(kind, count, Integer::sum));
		}

	}

	private record Cancelled(Cancellation cancellation, boolean inherited, int forksStopped,
			Map<String, Integer> regionsAborted, int scopesCancelled) implements ScopeCancellation {
	}

	private record Ended(@Nullable Cancellation cancellation, long nanosFromCancellation, int stragglers,
			@Nullable Throwable cleanupFailure) implements ScopeEnd {
	}

}
