package io.github.cancelscope.grpc;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * Makes a gRPC call made in a scope follow it: the call's deadline is no later than the scope's
 * (gRPC sends it to the server as {@code grpc-timeout}), the call is cancelled when the scope is,
 * and a call started in a cancelled scope throws its
 * {@link io.github.cancelscope.ScopeCancelledException} at once. A call made outside any scope is
 * left alone. A cancelled blocking call throws gRPC's {@code StatusRuntimeException}
 * ({@code CANCELLED}) with the scope's exception as its cause
 * ({@link io.github.cancelscope.ScopeCancelledException#findIn} finds it).
 * <p>
 * Add it to a channel with {@code ManagedChannelBuilder.intercept} or
 * {@link io.grpc.ClientInterceptors#intercept(Channel, ClientInterceptor...)}.
 */
public final class ScopedClientInterceptor implements ClientInterceptor {

	@Override
	public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
			Channel next) {
		Optional<RequestScope> found = RequestScope.find();
		if (found.isEmpty()) {
			return next.newCall(method, callOptions);
		}
		RequestScope scope = found.get();
		scope.throwIfCancelled();
		CallOptions options = callOptions;
		Optional<java.time.Duration> remaining = scope.remaining();
		if (remaining.isPresent()) {
			Deadline deadline = Deadline.after(remaining.get().toNanos(), TimeUnit.NANOSECONDS);
			if (options.getDeadline() == null || deadline.isBefore(options.getDeadline())) {
				options = options.withDeadline(deadline);
			}
		}
		return new ScopedCall<>(next.newCall(method, options), scope);
	}

	/**
	 * A call cancelled with its scope, from the moment it starts until it closes.
	 */
	private static final class ScopedCall<Q, R> extends ForwardingClientCall.SimpleForwardingClientCall<Q, R> {

		// what the registration field holds once the call has closed
		private static final Registration CLOSED = () -> {
		};

		private final RequestScope scope;

		// null until the call starts, then the cancellation listener's registration, then CLOSED
		private final AtomicReference<@Nullable Registration> registration = new AtomicReference<>();

		ScopedCall(ClientCall<Q, R> delegate, RequestScope scope) {
			super(delegate);
			this.scope = scope;
		}

		@Override
		public void start(Listener<R> listener, Metadata headers) {
			super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {

				@Override
				public void onClose(Status status, Metadata trailers) {
					Registration registered = ScopedCall.this.registration.getAndSet(CLOSED);
					if (registered != null) {
						registered.close();
					}
					super.onClose(explained(status), trailers);
				}

			}, headers);
			// after start: a call may be cancelled any time after it started, here at once if the
			// scope was cancelled meanwhile
			Registration registered = this.scope.onCancel((cancellation) -> delegate()
				.cancel("cancelled by its scope: " + cancellation.reason(), cancellation.toException()));
			if (!this.registration.compareAndSet(null, registered)) {
				// the call closed first
				registered.close();
			}
		}

		/**
		 * Explains a failed call whose scope is cancelled: the scope's exception becomes the status's
		 * cause, so that the caller's {@code StatusRuntimeException} is answered like the
		 * cancellation it is, and a call the scope's deadline cancelled fails with
		 * {@code DEADLINE_EXCEEDED}, whichever came first: gRPC's timer for the call's deadline or
		 * the scope's timer for the same deadline (which cancels the call).
		 */
		private Status explained(Status status) {
			Optional<Cancellation> found = this.scope.cancellation();
			if (status.isOk() || found.isEmpty()) {
				return status;
			}
			Cancellation cancellation = found.get();
			Status explained = status;
			if (status.getCode() == Status.Code.CANCELLED && cancellation.reason() == CancellationReason.DEADLINE_EXCEEDED) {
				explained = Status.DEADLINE_EXCEEDED.withDescription(status.getDescription()).withCause(status.getCause());
			}
			return (explained.getCause() != null) ? explained : explained.withCause(cancellation.toException());
		}

	}

}
