package io.github.cancelscope.grpc;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellationReason;
import io.grpc.Context;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link GrpcStatuses}: why a server call's scope is cancelled, read from the call's
 * context as grpc-java cancels it.
 */
class GrpcStatusesTests {

	@Test
	void aContextWhoseDeadlinePassedMeansDeadlineExceeded() throws Exception {
		// what grpc-java's server does with a call's grpc-timeout: a context with a deadline, cancelled
		// by its own timer with a TimeoutException
		ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
		try (Context.CancellableContext context = Context.current().withDeadlineAfter(1, TimeUnit.MILLISECONDS, timer)) {
			CountDownLatch cancelled = new CountDownLatch(1);
			context.addListener((c) -> cancelled.countDown(), Runnable::run);
			assertThat(cancelled.await(20, TimeUnit.SECONDS)).as("the context's deadline timer fired").isTrue();
			assertThat(GrpcStatuses.reasonOf(context.cancellationCause())).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
		}
		finally {
			timer.shutdownNow();
		}
	}

	@Test
	void aContextCancelledByTheClientMeansClientDisconnected() {
		// what grpc-java's server does when the client cancels or resets the stream
		try (Context.CancellableContext context = Context.current().withCancellation()) {
			context.cancel(Status.CANCELLED.withDescription("client cancelled").asRuntimeException());
			assertThat(GrpcStatuses.reasonOf(context.cancellationCause())).isEqualTo(CancellationReason.CLIENT_DISCONNECTED);
		}
	}

	@Test
	void aContextCancelledWithDeadlineExceededMeansDeadlineExceeded() {
		try (Context.CancellableContext context = Context.current().withCancellation()) {
			context.cancel(Status.DEADLINE_EXCEEDED.asRuntimeException());
			assertThat(GrpcStatuses.reasonOf(context.cancellationCause())).isEqualTo(CancellationReason.DEADLINE_EXCEEDED);
		}
	}

}
