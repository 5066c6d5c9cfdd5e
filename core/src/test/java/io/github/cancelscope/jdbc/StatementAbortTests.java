package io.github.cancelscope.jdbc;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The second step of {@link StatementCancellation}: aborting the connection of an execution that its
 * cancel did not stop, with statements and connections that record what they are asked. The real
 * stalled database is in the autoconfigure module's {@code StalledPostgresIntegrationTests}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StatementAbortTests {

	private static final Duration HANG = Duration.ofSeconds(20);

	private static final AbortPolicy ABORT_AFTER_100_MS = new AbortPolicy(TimeUnit.MILLISECONDS.toNanos(100),
			ConnectionAbortListener.NONE);

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSystemClock();

	@Test
	void connectionOfAnExecutionThatOutlivesItsCancelIsAbortedOnceAndTheListenerIsTold() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		RecordingConnection connection = new RecordingConnection();
		List<Cancellation> told = new CopyOnWriteArrayList<>();
		AbortPolicy policy = new AbortPolicy(TimeUnit.MILLISECONDS.toNanos(100),
				(cancellation, afterCancel) -> told.add(cancellation));
		try (CancellableScope scope = this.root.scope().openChild()) {
			// every cancel hangs, as pgjdbc's does on a stalled server
			StatementCancellation cancellation = new StatementCancellation(statement(release::await, connection.proxy),
					connection.proxy, scope, policy);
			scope.cancel(CancellationReason.DEADLINE_EXCEEDED);
			cancellation.run();
			await("connection aborted").atMost(HANG).until(() -> connection.aborts.get() == 1);
			long start = System.nanoTime();
			cancellation.finished();
			assertThat(Duration.ofNanos(System.nanoTime() - start))
				.as("the executing thread does not wait for the hung cancel once the connection is aborted")
				.isLessThan(HANG);
			assertThat(cancellation.aborted()).isTrue();
			assertThat(connection.abortExecutor.get()).as("the executor handed to Connection.abort").isNotNull();
			await("listener told").atMost(HANG).until(() -> !told.isEmpty());
			assertThat(told).singleElement()
				.satisfies((c) -> assertThat(c.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED));
		}
		finally {
			release.countDown();
		}
		awaitCancellationWorkDone();
		assertThat(connection.aborts.get()).as("aborted once").isEqualTo(1);
	}

	@Test
	void executionThatEndsAfterItsCancelKeepsItsConnection() throws Exception {
		RecordingConnection connection = new RecordingConnection();
		CountDownLatch cancelled = new CountDownLatch(1);
		AbortPolicy abortAfterOneSecond = new AbortPolicy(TimeUnit.SECONDS.toNanos(1), ConnectionAbortListener.NONE);
		try (CancellableScope scope = this.root.scope().openChild()) {
			StatementCancellation cancellation = new StatementCancellation(statement(cancelled::countDown, connection.proxy),
					connection.proxy, scope, abortAfterOneSecond);
			scope.cancel(CancellationReason.CANCELLED);
			cancellation.run();
			// the driver returns as soon as it takes the cancel, long before the abort is due
			assertThat(cancelled.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
			cancellation.finished();
			assertThat(cancellation.aborted()).isFalse();
		}
		awaitCancellationWorkDone();
		assertThat(connection.aborts.get()).as("an execution that returned is never aborted").isZero();
	}

	@Test
	void executionStillWaitingForAHungCancelAfterItReturnedIsAborted() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch inCancel = new CountDownLatch(1);
		RecordingConnection connection = new RecordingConnection();
		try (CancellableScope scope = this.root.scope().openChild()) {
			StatementCancellation cancellation = new StatementCancellation(statement(() -> {
				inCancel.countDown();
				release.await();
			}, connection.proxy), connection.proxy, scope, ABORT_AFTER_100_MS);
			scope.cancel(CancellationReason.CANCELLED);
			cancellation.run();
			assertThat(inCancel.await(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// the driver returned while the cancel hangs: the next statement must not meet that cancel
			Thread executing = new Thread(cancellation::finished);
			executing.start();
			executing.join(HANG.toMillis());
			assertThat(executing.isAlive()).as("finished() returned once the connection was aborted").isFalse();
			assertThat(connection.aborts.get()).isEqualTo(1);
		}
		finally {
			release.countDown();
		}
	}

	/**
	 * Waits until no cancel, retry or abort is queued or running anywhere: after that, an abort that
	 * has not happened cannot happen any more.
	 */
	private static void awaitCancellationWorkDone() {
		await("cancel, retry and abort work done").atMost(HANG)
			.until(() -> idle(StatementCancellation.timer) && idle(StatementCancellation.cancellers)
					&& idle(StatementCancellation.aborters));
	}

	private static boolean idle(ThreadPoolExecutor executor) {
		return executor.getQueue().isEmpty() && executor.getActiveCount() == 0;
	}

	/**
	 * A statement on {@code connection}, which is not pgjdbc's, whose {@code cancel()} runs
	 * {@code onCancel} and stops nothing.
	 */
	private static Statement statement(ThrowingRunnable onCancel, Connection connection) {
		return (Statement) Proxy.newProxyInstance(StatementAbortTests.class.getClassLoader(),
				new Class<?>[] { Statement.class }, (proxy, method, args) -> switch (method.getName()) {
					case "cancel" -> {
						onCancel.run();
						yield null;
					}
					case "getConnection" -> connection;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> throw new UnsupportedOperationException(method.getName());
				});
	}

	/**
	 * A connection that records its aborts.
	 */
	private static final class RecordingConnection {

		final AtomicInteger aborts = new AtomicInteger();

		final AtomicReference<Executor> abortExecutor = new AtomicReference<>();

		final Connection proxy = (Connection) Proxy.newProxyInstance(StatementAbortTests.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> switch (method.getName()) {
					case "abort" -> {
						this.abortExecutor.set((Executor) args[0]);
						this.aborts.incrementAndGet();
						yield null;
					}
					case "unwrap" -> proxy;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					case "toString" -> "RecordingConnection";
					default -> throw new UnsupportedOperationException(method.getName());
				});

	}

	@FunctionalInterface
	private interface ThrowingRunnable {

		void run() throws Exception;

	}

}
