package io.github.cancelscope.autoconfigure.escape;

import java.util.ArrayList;
import java.util.List;

import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeEnd;
import org.jspecify.annotations.Nullable;

/**
 * One unit of work (a request, a gRPC call, a scheduled run, ...) whose thread creations are
 * watched: on its own thread and on its forks' threads while they run it, and while nested scopes
 * opened there run.
 */
final class WatchedUnit implements ObservedScope {

	private final RequestScope scope;

	private final EscapeWatch watch;

	private @Nullable List<ThreadBirth> births;

	private boolean closed;

	WatchedUnit(RequestScope scope, EscapeWatch watch) {
		this.scope = scope;
		this.watch = watch;
	}

	RequestScope scope() {
		return this.scope;
	}

	@Override
	public <R, X extends Throwable> R bind(CheckedCallable<? extends R, X> op) throws X {
		return ThreadBirths.callWatched(this, op);
	}

	@Override
	public void closed(ScopeEnd end) {
		List<ThreadBirth> births;
		synchronized (this) {
			this.closed = true;
			births = this.births;
			this.births = null;
		}
		try {
			if (births != null) {
				this.watch.ended(this, births);
			}
		}
		catch (RuntimeException ex) {
			this.watch.failedToWatch(ex);
		}
		finally {
			this.watch.unitsEnded.increment();
		}
	}

	/**
	 * Called on a thread of this unit while it constructs a thread.
	 */
	void born(ThreadBirth birth) {
		this.watch.births.increment();
		synchronized (this) {
			if (this.closed) {
				// a straggling fork that outlived the close: its scope is reported as such already
				return;
			}
			if (this.births == null) {
				this.births = new ArrayList<>(2);
			}
			this.births.add(birth);
		}
	}

	/**
	 * Returns the births seen so far; for tests.
	 */
	synchronized List<ThreadBirth> births() {
		return (this.births != null) ? List.copyOf(this.births) : List.of();
	}

	void failedToWatch(Throwable failure) {
		this.watch.failedToWatch(failure);
	}

	/**
	 * A scope opened inside a watched unit (an {@code @Scoped} method): its threads and its forks'
	 * threads belong to the unit.
	 */
	record Nested(WatchedUnit unit) implements ObservedScope {

		@Override
		public <R, X extends Throwable> R bind(CheckedCallable<? extends R, X> op) throws X {
			return ThreadBirths.callWatched(this.unit, op);
		}

	}

}
