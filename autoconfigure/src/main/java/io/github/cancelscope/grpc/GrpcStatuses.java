package io.github.cancelscope.grpc;

import java.util.concurrent.TimeoutException;

import io.github.cancelscope.CancellationReason;
import io.grpc.Status;

/**
 * The one mapping between a scope's cancellation reasons and gRPC status codes, both ways.
 */
final class GrpcStatuses {

	private GrpcStatuses() {
	}

	/**
	 * Returns the status a server answers a call with whose scope was cancelled for {@code reason}.
	 */
	static Status of(CancellationReason reason) {
		Status status = switch (reason) {
			case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
			case SHUTDOWN -> Status.UNAVAILABLE;
			case CLIENT_DISCONNECTED, SIBLING_FAILED, CANCELLED -> Status.CANCELLED;
		};
		return status.withDescription("cancelled by its scope: " + reason);
	}

	/**
	 * Returns why a server call's scope is cancelled when gRPC cancels the call's context with
	 * {@code cause}: its deadline passed, or the client cancelled or reset the stream. The server's
	 * own deadline timer cancels the context with a {@link TimeoutException} (what grpc's
	 * experimental {@code Contexts.statusFromCancelled} reads as {@code DEADLINE_EXCEEDED} too).
	 */
	static CancellationReason reasonOf(Throwable cause) {
		boolean deadline = cause instanceof TimeoutException
				|| Status.fromThrowable(cause).getCode() == Status.Code.DEADLINE_EXCEEDED;
		return deadline ? CancellationReason.DEADLINE_EXCEEDED : CancellationReason.CLIENT_DISCONNECTED;
	}

}
