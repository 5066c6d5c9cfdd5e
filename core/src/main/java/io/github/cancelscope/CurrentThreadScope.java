package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The {@link RequestScope#forCurrentThread() scope of the calling thread}: each call goes to
 * {@link RequestScope#current()}, so one instance serves every thread. What Spring injects.
 */
final class CurrentThreadScope implements RequestScope {

	static final CurrentThreadScope INSTANCE = new CurrentThreadScope();

	private CurrentThreadScope() {
	}

	@Override
	public String id() {
		return RequestScope.current().id();
	}

	@Override
	public String kind() {
		return RequestScope.current().kind();
	}

	@Override
	public String name() {
		return RequestScope.current().name();
	}

	@Override
	public String description() {
		return RequestScope.current().description();
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
	public Optional<Cancellation> cancellation() {
		return RequestScope.current().cancellation();
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
	public CancellableScope openChild(ScopeOptions options) {
		return RequestScope.current().openChild(options);
	}

	@Override
	public <T> Subtask<T> fork(Callable<? extends T> task) {
		return RequestScope.current().fork(task);
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
	public <T, X extends Throwable> T abortable(String kind, Runnable abort, CheckedCallable<? extends T, X> body)
			throws X {
		return RequestScope.current().abortable(kind, abort, body);
	}

	@Override
	public <T, X extends Throwable> T interruptible(String kind, CheckedCallable<? extends T, X> body) throws X {
		return RequestScope.current().interruptible(kind, body);
	}

	@Override
	public String toString() {
		return "RequestScope (the calling thread's current scope)";
	}

}
