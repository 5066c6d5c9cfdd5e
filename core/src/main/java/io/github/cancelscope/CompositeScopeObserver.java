package io.github.cancelscope;

import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A {@link ScopeObserver} that tells several, in order; their scope contexts nest in that order.
 */
final class CompositeScopeObserver implements ScopeObserver {

	private final ScopeObserver[] observers;

	CompositeScopeObserver(List<ScopeObserver> observers) {
		this.observers = observers.toArray(ScopeObserver[]::new);
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		ObservedScope[] observed = new ObservedScope[this.observers.length];
		int count = 0;
		for (ScopeObserver observer : this.observers) {
			ObservedScope one = observer.opened(scope, parent);
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
		public <R, X extends Throwable> R bind(ScopedValue.CallableOp<? extends R, X> op) throws X {
			return bind(0, op);
		}

		private <R, X extends Throwable> R bind(int index, ScopedValue.CallableOp<? extends R, X> op) throws X {
			if (index == this.observed.length) {
				return op.call();
			}
			return this.observed[index].bind(() -> bind(index + 1, op));
		}

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			for (ObservedScope one : this.observed) {
				one.cancelled(cancellation);
			}
		}

		@Override
		public void closed(ScopeEnd end) {
			for (int i = this.observed.length - 1; i >= 0; i--) {
				this.observed[i].closed(end);
			}
		}

	}

}
