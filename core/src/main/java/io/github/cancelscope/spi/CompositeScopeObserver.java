package io.github.cancelscope.spi;

import java.util.Arrays;
import java.util.List;

import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.RequestScope;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ScopeObserver} that tells several, in order; their scope contexts nest in that order.
 * One that throws does not keep the others from being told.
 */
final class CompositeScopeObserver implements ScopeObserver {

	private static final System.Logger logger = System.getLogger(ScopeObserver.class.getName());

	private final ScopeObserver[] observers;

	CompositeScopeObserver(List<ScopeObserver> observers) {
		this.observers = observers.toArray(ScopeObserver[]::new);
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		ObservedScope[] observed = new ObservedScope[this.observers.length];
		int count = 0;
		for (ScopeObserver observer : this.observers) {
			ObservedScope one;
			try {
				one = observer.opened(scope, parent);
			}
			catch (Throwable ex) {
				// the others have opened or will: skipping this one keeps their callbacks paired
				logger.log(System.Logger.Level.WARNING, "A scope observer failed in opened for scope " + scope.id()
						+ "; it does not observe that scope", ex);
				continue;
			}
			if (one != ObservedScope.NONE) {
				observed[count++] = one;
			}
		}
		if (count == 0) {
			return ObservedScope.NONE;
		}
		return (count == 1) ? observed[0] : new Composite(Arrays.copyOf(observed, count));
	}

	private record Composite(ObservedScope[] observed) implements ObservedScope {

		@Override
		public <R, X extends Throwable> R bind(CheckedCallable<? extends R, X> op) throws X {
			return bind(0, op);
		}

		private <R, X extends Throwable> R bind(int index, CheckedCallable<? extends R, X> op) throws X {
			if (index == this.observed.length) {
				return op.call();
			}
			return this.observed[index].bind(() -> bind(index + 1, op));
		}

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			RuntimeException failure = null;
			for (ObservedScope one : this.observed) {
				try {
					one.cancelled(cancellation);
				}
				catch (RuntimeException ex) {
					failure = collect(failure, ex);
				}
			}
			if (failure != null) {
				throw failure;
			}
		}

		@Override
		public void closed(ScopeEnd end) {
			RuntimeException failure = null;
			for (int i = this.observed.length - 1; i >= 0; i--) {
				try {
					this.observed[i].closed(end);
				}
				catch (RuntimeException ex) {
					failure = collect(failure, ex);
				}
			}
			if (failure != null) {
				throw failure;
			}
		}

		private static RuntimeException collect(@Nullable RuntimeException first, RuntimeException next) {
			if (first == null) {
				return next;
			}
			first.addSuppressed(next);
			return first;
		}

	}

}
