package io.github.cancelscope.benchmarks.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.jdbc.CancellableDataSource;
import io.github.cancelscope.spi.ScopeSettings;

/**
 * Cancellation latency on PostgreSQL: from the moment a running {@code pg_sleep(30)} is cancelled
 * to the moment its statement has thrown and its connection is back in the pool, through cancelscope
 * (cancelling the scope) and through a bare {@code Statement.cancel()} on the same database, both
 * measured in one run. Prints p50, p99 and their ratios.
 * <p>
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.cancelscope.benchmarks.jdbc.CancelLatency [iterations]}
 */
public final class CancelLatency {

	private CancelLatency() {
	}

	public static void main(String[] args) throws Exception {
		int iterations = (args.length > 0) ? Integer.parseInt(args[0]) : 200;
		try (Postgres postgres = Postgres.start(2);
				CancellableScope application = CancellableScope.root(ScopeSettings.defaults())) {
			DataSource decorated = CancellableDataSource.wrap(postgres.pool());
			long[] bare = new long[iterations];
			long[] scoped = new long[iterations];
			for (int i = 0; i < 20; i++) {
				bareCancel(postgres);
				scopeCancel(postgres, application, decorated);
			}
			for (int i = 0; i < iterations; i++) {
				bare[i] = bareCancel(postgres);
				scoped[i] = scopeCancel(postgres, application, decorated);
			}
			Arrays.sort(bare);
			Arrays.sort(scoped);
			System.out.printf("cancel -> statement thrown and connection back in the pool, %d iterations%n", iterations);
			System.out.printf("%-28s %10s %10s%n", "", "p50 ms", "p99 ms");
			System.out.printf("%-28s %10.2f %10.2f%n", "bare Statement.cancel()", millis(bare, 0.50), millis(bare, 0.99));
			System.out.printf("%-28s %10.2f %10.2f%n", "cancelscope scope.cancel()", millis(scoped, 0.50),
					millis(scoped, 0.99));
			System.out.printf("%-28s %10.2f %10.2f%n", "ratio cancelscope/bare", millis(scoped, 0.50) / millis(bare, 0.50),
					millis(scoped, 0.99) / millis(bare, 0.99));
		}
	}

	private static long bareCancel(Postgres postgres) throws Exception {
		AtomicReference<Statement> running = new AtomicReference<>();
		CountDownLatch started = new CountDownLatch(1);
		AtomicLong ended = new AtomicLong();
		Thread worker = Thread.ofPlatform().start(() -> {
			try (Connection connection = postgres.pool().getConnection();
					Statement statement = connection.createStatement()) {
				running.set(statement);
				started.countDown();
				statement.execute("SELECT pg_sleep(30)");
			}
			catch (SQLException expected) {
				// cancelled
			}
			ended.set(System.nanoTime());
		});
		started.await();
		awaitActive(postgres);
		long cancelled = System.nanoTime();
		running.get().cancel();
		worker.join();
		return ended.get() - cancelled;
	}

	private static long scopeCancel(Postgres postgres, CancellableScope application, DataSource decorated)
			throws Exception {
		CancellableScope scope = application.openChild();
		AtomicLong ended = new AtomicLong();
		CountDownLatch started = new CountDownLatch(1);
		Thread worker = Thread.ofPlatform().start(() -> {
			try {
				scope.call(() -> {
					try (Connection connection = decorated.getConnection();
							Statement statement = connection.createStatement()) {
						started.countDown();
						statement.execute("SELECT pg_sleep(30)");
					}
					return null;
				});
			}
			catch (SQLException expected) {
				// cancelled
			}
			ended.set(System.nanoTime());
		});
		started.await();
		awaitActive(postgres);
		long cancelled = System.nanoTime();
		scope.cancel(CancellationReason.CANCELLED);
		worker.join();
		scope.close();
		return ended.get() - cancelled;
	}

	private static void awaitActive(Postgres postgres) throws Exception {
		// the query must have reached the server, as in a real cancellation
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		try (Connection admin = postgres.admin().getConnection(); Statement statement = admin.createStatement()) {
			while (System.nanoTime() < end) {
				var result = statement.executeQuery(
						"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(30)'");
				result.next();
				if (result.getInt(1) > 0) {
					return;
				}
				Thread.onSpinWait();
			}
		}
		throw new IllegalStateException("pg_sleep(30) did not start within 10 s");
	}

	private static double millis(long[] sorted, double quantile) {
		return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
	}

}
