package io.github.cancelscope.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationListener;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Subtask;
import org.jspecify.annotations.Nullable;

/**
 * The injectable {@link RequestScope}: each call goes to {@link RequestScope#current()} of the
 * calling thread, so one instance serves every request.
 */
final class CurrentRequestScope implements RequestScope {

	@Override
	public String id() {
		return RequestScope.current().id();
	}

	@Override
	public boolean isCancelled() {
		return RequestScope.current().isCancelled();
	}

	@Override
	public void throwIfCancelled() {
		RequestScope.current().throwIfCancelled();
	}

	@Override
	public Optional<CancellationReason> cancellationReason() {
		return RequestScope.current().cancellationReason();
	}

	@Override
	public Optional<Instant> deadline() {
		return RequestScope.current().deadline();
	}

	@Override
	public Optional<Duration> remaining() {
		return RequestScope.current().remaining();
	}

	@Override
	public CancellableScope openChild(@Nullable Duration timeout) {
		return RequestScope.current().openChild(timeout);
	}

	@Override
	public <T> Subtask<T> fork(Callable<? extends T> task) {
		return RequestScope.current().fork(task);
	}

	@Override
	public <T> List<T> all(List<? extends Callable<? extends T>> tasks) {
		return RequestScope.current().all(tasks);
	}

	@Override
	public <T> T race(List<? extends Callable<? extends T>> tasks) {
		return RequestScope.current().race(tasks);
	}

	@Override
	public void defer(AutoCloseable cleanup) {
		RequestScope.current().defer(cleanup);
	}

	@Override
	public Registration onCancel(CancellationListener listener) {
		return RequestScope.current().onCancel(listener);
	}

	@Override
	public <T, X extends Throwable> T abortable(Runnable abort, ScopedValue.CallableOp<? extends T, X> body)
			throws X {
		return RequestScope.current().abortable(abort, body);
	}

	@Override
	public <T, X extends Throwable> T abortable(String kind, Runnable abort,
			ScopedValue.CallableOp<? extends T, X> body) throws X {
		return RequestScope.current().abortable(kind, abort, body);
	}

	@Override
	public <T, X extends Throwable> T interruptible(ScopedValue.CallableOp<? extends T, X> body) throws X {
		return RequestScope.current().interruptible(body);
	}

	@Override
	public String toString() {
		return "RequestScope (the calling thread's current scope)";
	}

}
