package io.github.cancelscope.autoconfigure.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Scoped;
import io.github.cancelscope.Subtask;
import io.github.cancelscope.jdbc.ConnectionAbortListener;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application whose handlers run slow queries ({@code test.slow-query}) the ways the JDBC issue
 * describes.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableTransactionManagement
@Import({ JdbcTestApplication.QueryController.class, JdbcTestApplication.Queries.class, JdbcTestApplication.Gate.class,
		JdbcTestApplication.Aborts.class })
class JdbcTestApplication {

	@RestController
	static class QueryController {

		private final Queries queries;

		private final DataSource dataSource;

		private final Gate gate;

		QueryController(Queries queries, DataSource dataSource, Gate gate) {
			this.queries = queries;
			this.dataSource = dataSource;
			this.gate = gate;
		}

		/**
		 * Slow queries ({@code test.zombie-queries} of them) and an upstream call that fails after
		 * 200 ms, in parallel.
		 */
		@GetMapping("/zombie")
		String zombie(@Value("${test.zombie-queries:2}") int count) {
			RequestScope scope = RequestScope.current();
			List<Subtask<Void>> queries = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				queries.add(scope.fork(this.queries::slow));
			}
			Subtask<Void> upstream = scope.fork(() -> {
				Thread.sleep(200);
				throw new IllegalStateException("upstream call failed");
			});
			for (Subtask<Void> query : queries) {
				query.join();
			}
			upstream.join();
			return "done";
		}

		/**
		 * The slow query on the request thread.
		 */
		@GetMapping("/slow")
		String slow() {
			this.queries.slow();
			return "done";
		}

		/**
		 * Slow queries in parallel with a sibling that fails when the test opens the gate.
		 */
		@GetMapping("/zombie-gated")
		String zombieGated(@Value("${test.zombie-queries:2}") int count) {
			RequestScope scope = RequestScope.current();
			List<Subtask<Void>> queries = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				queries.add(scope.fork(this.queries::slow));
			}
			Subtask<Void> upstream = scope.fork(() -> {
				if (!this.gate.failSibling.await(20, TimeUnit.SECONDS)) {
					throw new IllegalStateException("gate never opened");
				}
				throw new IllegalStateException("upstream call failed");
			});
			for (Subtask<Void> query : queries) {
				query.join();
			}
			upstream.join();
			return "done";
		}

		@GetMapping("/deadline")
		String deadline() {
			this.queries.slowWithin300Millis();
			return "done";
		}

		@GetMapping("/insert-then-slow")
		String insertThenSlow(@RequestParam int id) {
			this.queries.insertThenSlow(id);
			return "done";
		}

		@GetMapping("/slow-in-short-transaction")
		String slowInShortTransaction() {
			this.queries.slowInShortTransaction();
			return "done";
		}

		@GetMapping("/count")
		int count(@RequestParam int id) {
			return this.queries.count(id);
		}

		/**
		 * Holds a connection until the test opens the gate.
		 */
		@GetMapping("/hold")
		String hold() throws SQLException, InterruptedException {
			try (Connection connection = this.dataSource.getConnection()) {
				this.gate.held.countDown();
				if (!this.gate.release.await(10, TimeUnit.SECONDS)) {
					throw new IllegalStateException("gate never opened");
				}
			}
			return "released";
		}

	}

	static class Queries {

		private final JdbcTemplate jdbc;

		private final String slowQuery;

		Queries(JdbcTemplate jdbc, @Value("${test.slow-query}") String slowQuery) {
			this.jdbc = jdbc;
			this.slowQuery = slowQuery;
		}

		public @Nullable Void slow() {
			this.jdbc.execute(this.slowQuery);
			return null;
		}

		@Scoped(timeout = "300ms")
		public void slowWithin300Millis() {
			slow();
		}

		@Transactional(timeout = 10)
		public void insertThenSlow(int id) {
			this.jdbc.update("INSERT INTO orders VALUES (?)", id);
			slow();
		}

		@Transactional(timeout = 1)
		public void slowInShortTransaction() {
			slow();
		}

		public int count(int id) {
			return this.jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = ?", Integer.class, id);
		}

	}

	static class Gate {

		final CountDownLatch held = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		volatile CountDownLatch failSibling = new CountDownLatch(1);

	}

	/**
	 * Records the connections that cancelscope aborted.
	 */
	static class Aborts implements ConnectionAbortListener {

		final List<CancellationReason> reasons = new CopyOnWriteArrayList<>();

		@Override
		public void connectionAborted(Cancellation cancellation, Duration afterCancel) {
			this.reasons.add(cancellation.reason());
		}

	}

	static Duration elapsedSince(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos);
	}

}
