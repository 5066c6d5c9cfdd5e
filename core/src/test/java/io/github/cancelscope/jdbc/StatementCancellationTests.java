package io.github.cancelscope.jdbc;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.TestThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link StatementCancellation} with statements that ignore their cancels: how many threads the
 * cancels take, and when the retries stop.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StatementCancellationTests {

	private static final Duration HANG = Duration.ofSeconds(20);

	@Test
	void massCancellationUsesAtMostSixteenThreads() throws Exception {
		int statements = 3 * StatementCancellation.MAX_THREADS;
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger inCancel = new AtomicInteger();
		AtomicInteger mostInCancel = new AtomicInteger();
		Set<Thread> cancellingThreads = ConcurrentHashMap.newKeySet();
		Set<Integer> cancelled = ConcurrentHashMap.newKeySet();
		List<StatementCancellation> cancellations = new ArrayList<>();
		for (int i = 0; i < statements; i++) {
			int id = i;
			cancellations.add(new StatementCancellation(statement(() -> {
				cancellingThreads.add(Thread.currentThread());
				mostInCancel.accumulateAndGet(inCancel.incrementAndGet(), Math::max);
				try {
					release.await(HANG.toSeconds(), TimeUnit.SECONDS);
				}
				finally {
					inCancel.decrementAndGet();
					cancelled.add(id);
				}
			})));
		}
		try {
			cancellations.forEach(StatementCancellation::run);
			await("every canceller thread blocked in a cancel").atMost(HANG)
				.until(() -> inCancel.get() == StatementCancellation.MAX_THREADS);
			assertThat(StatementCancellation.cancellers.getPoolSize()).isLessThanOrEqualTo(StatementCancellation.MAX_THREADS);
			assertThat(StatementCancellation.cancellers.getQueue()).as("cancels waiting for a thread")
				.hasSizeGreaterThanOrEqualTo(statements - StatementCancellation.MAX_THREADS);
		}
		finally {
			release.countDown();
		}
		await("every statement cancelled once").atMost(HANG).until(() -> cancelled.size() == statements);
		cancellations.forEach(StatementCancellation::finished);
		assertThat(mostInCancel.get()).as("cancels at once").isEqualTo(StatementCancellation.MAX_THREADS);
		assertThat(cancellingThreads).as("threads that cancelled").hasSizeLessThanOrEqualTo(StatementCancellation.MAX_THREADS)
			.allSatisfy((thread) -> assertThat(TestThreads.isVirtual(thread)).isFalse());
	}

	@Test
	void retriesStopAfterTheirBudget() {
		AtomicInteger cancels = new AtomicInteger();
		StatementCancellation cancellation = new StatementCancellation(statement(cancels::incrementAndGet),
				TimeUnit.MILLISECONDS.toNanos(200));
		cancellation.run();
		await("retries given up").atMost(HANG).until(cancellation::gaveUp);
		// attempts at 0, 10, 30, 70 and 150 ms (later if the machine is slow); the next would pass the budget
		assertThat(cancels.get()).isBetween(2, 5);
		cancellation.finished();
	}

	@Test
	void noCancelOnceFinished() throws Exception {
		AtomicInteger cancels = new AtomicInteger();
		StatementCancellation cancellation = new StatementCancellation(statement(cancels::incrementAndGet));
		cancellation.finished();
		cancellation.run();
		// a cancel queued after this marker runs before it, on a free canceller
		CountDownLatch drained = new CountDownLatch(1);
		StatementCancellation.cancellers.execute(drained::countDown);
		assertThat(drained.await(HANG.toSeconds(), TimeUnit.SECONDS)).as("queued cancels drained").isTrue();
		assertThat(cancels.get()).isZero();
		assertThat(cancellation.gaveUp()).isFalse();
	}

	/**
	 * A statement whose {@code cancel()} runs {@code onCancel} and stops nothing, on a connection that
	 * is not pgjdbc's, so every retry goes to {@code Statement.cancel()} too.
	 */
	private static Statement statement(ThrowingRunnable onCancel) {
		Connection connection = (Connection) Proxy.newProxyInstance(StatementCancellationTests.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> switch (method.getName()) {
					case "unwrap" -> proxy;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> throw new UnsupportedOperationException(method.getName());
				});
		return (Statement) Proxy.newProxyInstance(StatementCancellationTests.class.getClassLoader(),
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

	@FunctionalInterface
	private interface ThrowingRunnable {

		void run() throws Exception;

	}

}
