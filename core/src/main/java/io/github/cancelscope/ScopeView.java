package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;

/**
 * The {@link RequestScope} of a {@link DefaultScope}: everything but cancelling and closing.
 */
final class ScopeView implements RequestScope {

	private final DefaultScope scope;

	ScopeView(DefaultScope scope) {
		this.scope = scope;
	}

	DefaultScope scope() {
		return this.scope;
	}

	@Override
	public String id() {
		return this.scope.id();
	}

	@Override
	public boolean isCancelled() {
		return this.scope.cancellation() != null;
	}

	@Override
	public void throwIfCancelled() {
		this.scope.throwIfCancelled();
	}

	@Override
	public Optional<CancellationReason> cancellationReason() {
		Cancellation cancellation = this.scope.cancellation();
		return (cancellation != null) ? Optional.of(cancellation.reason()) : Optional.empty();
	}

	@Override
	public Optional<Instant> deadline() {
		return Optional.ofNullable(this.scope.deadline());
	}

	@Override
	public Optional<Duration> remaining() {
		return this.scope.remaining();
	}

	@Override
	public CancellableScope openChild(@Nullable Duration timeout) {
		return this.scope.openChild(timeout);
	}

	@Override
	public <T> Subtask<T> fork(Callable<? extends T> task) {
		return this.scope.fork(task, null);
	}

	@Override
	public <T> List<T> all(List<? extends Callable<? extends T>> tasks) {
		return this.scope.all(tasks);
	}

	@Override
	public <T> T race(List<? extends Callable<? extends T>> tasks) {
		return this.scope.race(tasks);
	}

	@Override
	public void defer(AutoCloseable cleanup) {
		this.scope.defer(cleanup);
	}

	@Override
	public Registration onCancel(CancellationListener listener) {
		return this.scope.onCancel(listener);
	}

	@Override
	public <T, X extends Throwable> T abortable(Runnable abort, ScopedValue.CallableOp<? extends T, X> body)
			throws X {
		return this.scope.guarded(DefaultScope.ABORTABLE, abort, false, body);
	}

	@Override
	public <T, X extends Throwable> T abortable(String kind, Runnable abort,
			ScopedValue.CallableOp<? extends T, X> body) throws X {
		return this.scope.guarded(kind, abort, false, body);
	}

	@Override
	public <T, X extends Throwable> T interruptible(ScopedValue.CallableOp<? extends T, X> body) throws X {
		return this.scope.guarded(DefaultScope.INTERRUPTIBLE, Thread.currentThread()::interrupt, true, body);
	}

	@Override
	public String toString() {
		return "RequestScope[" + this.scope.id() + "]";
	}

}
