package io.github.cancelscope.grpc;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.ScopeOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Runs each gRPC call in a scope of kind {@value #KIND}, a child of the application scope named by
 * the full method name. The scope's deadline is the call's, and the scope is cancelled when gRPC
 * cancels the call: {@link CancellationReason#DEADLINE_EXCEEDED} when its deadline passes,
 * {@link CancellationReason#CLIENT_DISCONNECTED} when the client cancels it or resets the stream.
 * The call's handler runs with the scope current, so its JDBC statements, outbound calls (gRPC ones
 * through a {@link ScopedClientInterceptor}) and forks stop with it. A handler that fails because
 * its scope was cancelled answers {@code DEADLINE_EXCEEDED}, {@code UNAVAILABLE} (shutdown) or
 * {@code CANCELLED}; the scope ends when the call does.
 * <p>
 * Add it to a server with {@code ServerBuilder.intercept} or
 * {@link io.grpc.ServerInterceptors#intercept(io.grpc.BindableService, ServerInterceptor...)}.
 */
public final class ScopedServerInterceptor implements ServerInterceptor {

	/** Kind of the scope of a gRPC call. */
	public static final String KIND = "grpc";

	/**
	 * Where a call's cancellation runs: it aborts JDBC statements, which blocks for milliseconds,
	 * and gRPC cancels a call's context on its own threads (transport, timer), which must not
	 * wait. Bounded; when full, the cancelling thread does the work itself.
	 */
	private static final Executor cancellations = new ThreadPoolExecutor(0, 2, 30, TimeUnit.SECONDS,
			new LinkedBlockingQueue<>(1024), (task) -> {
				Thread thread = new Thread(task, "cancelscope-grpc-cancel");
				thread.setDaemon(true);
				return thread;
			}, new ThreadPoolExecutor.CallerRunsPolicy());

	private final Supplier<CancellableScope> applicationScope;

	/**
	 * Creates the interceptor.
	 * @param applicationScope supplies the application scope, parent of each call's scope
	 */
	public ScopedServerInterceptor(Supplier<CancellableScope> applicationScope) {
		this.applicationScope = applicationScope;
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		Context context = Context.current();
		ScopeOptions options = ScopeOptions.of(KIND, call.getMethodDescriptor().getFullMethodName());
		Deadline deadline = context.getDeadline();
		if (deadline != null) {
			options = options.withTimeout(Duration.ofNanos(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS))));
		}
		CancellableScope scope;
		try {
			scope = this.applicationScope.get().openChild(options);
		}
		catch (IllegalStateException ex) {
			// the application scope has ended: the server is shutting down
			call.close(GrpcStatuses.of(CancellationReason.SHUTDOWN), new Metadata());
			return new ServerCall.Listener<>() {
			};
		}
		// gRPC cancels the call's context when the call ends, with no cause when it ended normally
		context.addListener((cancelled) -> {
			Throwable cause = cancelled.cancellationCause();
			if (cause != null) {
				scope.cancel(GrpcStatuses.reasonOf(cause), cause);
			}
		}, cancellations);
		ServerCall.Listener<Q> listener;
		try {
			listener = scope.call(() -> next.startCall(call, headers));
		}
		catch (RuntimeException | Error ex) {
			scope.close();
			throw ex;
		}
		return new ScopedListener<>(listener, call, scope);
	}

	/**
	 * Runs each callback of a call with its scope current, and closes the scope when the call ends.
	 */
	private static final class ScopedListener<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {

		private final ServerCall<Q, R> call;

		private final CancellableScope scope;

		ScopedListener(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call, CancellableScope scope) {
			super(delegate);
			this.call = call;
			this.scope = scope;
		}

		@Override
		public void onMessage(Q message) {
			run(() -> super.onMessage(message));
		}

		@Override
		public void onHalfClose() {
			run(super::onHalfClose);
		}

		@Override
		public void onReady() {
			run(super::onReady);
		}

		@Override
		public void onCancel() {
			try {
				run(super::onCancel);
			}
			finally {
				this.scope.close();
			}
		}

		@Override
		public void onComplete() {
			try {
				run(super::onComplete);
			}
			finally {
				this.scope.close();
			}
		}

		private void run(Runnable callback) {
			try {
				this.scope.call(() -> {
					callback.run();
					return null;
				});
			}
			catch (RuntimeException ex) {
				ScopeCancelledException cancelled = ScopeCancelledException.findIn(ex);
				if (cancelled == null) {
					throw ex;
				}
				close(GrpcStatuses.of(cancelled.reason()).withCause(ex));
			}
		}

		private void close(Status status) {
			try {
				this.call.close(status, new Metadata());
			}
			catch (IllegalStateException alreadyClosed) {
				// the handler answered before it failed
			}
		}

	}

}
