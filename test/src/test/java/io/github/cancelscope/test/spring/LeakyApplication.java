package io.github.cancelscope.test.spring;

import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.Subtask;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.Fixtures;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * An application whose endpoints leak one kind of work each, and one that leaks nothing. What it
 * leaks waits for {@link #release}; the tests release it and close what it left.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(LeakyApplication.LeakyController.class)
public class LeakyApplication {

	static volatile CountDownLatch release = new CountDownLatch(1);

	static final List<Thread> leakedThreads = new CopyOnWriteArrayList<>();

	static final List<Connection> leakedConnections = new CopyOnWriteArrayList<>();

	static final List<CancellableScope> leakedScopes = new CopyOnWriteArrayList<>();

	static final AtomicInteger callsRunning = new AtomicInteger();

	/** Where the RestClient calls go: set by the test to its stalling server. */
	static volatile String downstream = "http://127.0.0.1:9";

	static void reset() {
		release = new CountDownLatch(1);
		leakedThreads.clear();
		leakedConnections.clear();
		leakedScopes.clear();
	}

	/**
	 * Releases and ends everything the endpoints leaked.
	 */
	static void endLeaks() throws Exception {
		release.countDown();
		for (CancellableScope scope : leakedScopes) {
			scope.close();
		}
		for (Connection connection : leakedConnections) {
			connection.close();
		}
		for (Thread thread : leakedThreads) {
			Fixtures.end(thread);
		}
		// the mail executor's thread stays in its pool: wait for the call to end instead
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (callsRunning.get() > 0) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("The leaked outbound call did not end after the downstream server answered");
			}
			Thread.sleep(5);
		}
	}

	/** The application's root scope, as the cancelscope starter would define it. */
	@Bean(destroyMethod = "close")
	CancellableScope applicationScope() {
		return CancellableScope.root(ScopeSettings.defaults());
	}

	/** An executor that knows nothing of scopes. */
	@Bean(destroyMethod = "shutdownNow")
	ExecutorService mailExecutor() {
		AtomicInteger count = new AtomicInteger();
		return Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "mailer-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	@RestController
	static class LeakyController {

		private final DataSource dataSource;

		private final JdbcTemplate jdbc;

		private final CancellableScope applicationScope;

		private final ExecutorService mailExecutor;

		private final RestClient restClient;

		LeakyController(DataSource dataSource, CancellableScope applicationScope, ExecutorService mailExecutor,
				RestClient.Builder restClient) {
			this.dataSource = dataSource;
			this.jdbc = new JdbcTemplate(dataSource);
			this.applicationScope = applicationScope;
			this.mailExecutor = mailExecutor;
			this.restClient = restClient.build();
		}

		@GetMapping("/thread")
		String thread() {
			leakedThreads.add(Fixtures.platformThread("report-writer", release));
			return "started";
		}

		@GetMapping("/virtual-thread")
		String virtualThread() {
			leakedThreads.add(Fixtures.virtualThread("virtual-report-writer", release));
			return "started";
		}

		@GetMapping("/connection")
		String connection() throws Exception {
			Connection connection = this.dataSource.getConnection();
			leakedConnections.add(connection);
			return "borrowed";
		}

		@GetMapping("/call")
		String call() {
			callsRunning.incrementAndGet();
			this.mailExecutor.execute(() -> {
				try {
					this.restClient.get().uri(downstream).retrieve().toBodilessEntity();
				}
				finally {
					callsRunning.decrementAndGet();
				}
			});
			return "sending";
		}

		@GetMapping("/scope")
		String scope() {
			CancellableScope scope = this.applicationScope
				.openChild(ScopeOptions.of(ScopeOptions.REQUEST).withDescription("GET /scope"));
			leakedScopes.add(scope);
			CountDownLatch forked = new CountDownLatch(1);
			// closing the scope (endLeaks) waits for the fork; its thread may be a pooled one (Java 17)
			scope.fork(() -> {
				forked.countDown();
				Fixtures.awaitRelease(release);
				return null;
			});
			Fixtures.awaitRelease(forked);
			return "forked";
		}

		@GetMapping("/clean")
		Integer clean() throws Exception {
			try (CancellableScope scope = this.applicationScope
				.openChild(ScopeOptions.of(ScopeOptions.REQUEST).withDescription("GET /clean"))) {
				Subtask<Integer> count = scope.fork(() -> this.jdbc.queryForObject("SELECT COUNT(*) FROM SYSTEM_RANGE(1, 10)", Integer.class));
				Subtask<Integer> one = scope.fork(() -> this.jdbc.queryForObject("SELECT 1", Integer.class));
				return count.join() + one.join();
			}
		}

	}

}
