package io.github.cancelscope.sample.zombie;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.cancelscope.sample.Parallel;
import io.github.cancelscope.sample.WorkLog;

import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Failure mode 2, zombie query: two queries and a slow external call run in parallel; the external
 * call fails after {@code failAfter}; the handler answers 500. With cancelscope, the queries are
 * cancelled on the database and their connections go back to the pool at once ({@code GET /pool});
 * without it they run on, each holding a connection, for nobody.
 */
@RestController
class ZombieQueryController {

	private final Parallel parallel;

	private final WorkLog work;

	private final SlowQueries queries;

	private final JdbcTemplate jdbc;

	private final DataSource dataSource;

	ZombieQueryController(Parallel parallel, WorkLog work, SlowQueries queries, JdbcTemplate jdbc,
			DataSource dataSource) {
		this.parallel = parallel;
		this.work = work;
		this.queries = queries;
		this.jdbc = jdbc;
		this.dataSource = dataSource;
	}

	@GetMapping("/zombie")
	String zombie(@RequestParam(defaultValue = "5s") Duration query,
			@RequestParam(defaultValue = "300ms") Duration failAfter) {
		Supplier<Object> orders = this.parallel.fork(() -> this.work.track("orders query", () -> {
			this.queries.run(query);
			return "orders";
		}));
		Supplier<Object> invoices = this.parallel.fork(() -> this.work.track("invoices query", () -> {
			this.queries.run(query);
			return "invoices";
		}));
		Supplier<Object> shipping = this.parallel.fork(() -> this.work.track("shipping call", () -> {
			Thread.sleep(failAfter);
			throw new ShippingTimeoutException();
		}));
		return "" + shipping.get() + orders.get() + invoices.get();
	}

	/**
	 * The abandoned fetch: one slow query on the request's own thread. A client that gives up
	 * ({@code curl --max-time 1}) stops it on the server, with cancelscope's disconnect watcher on.
	 */
	@GetMapping("/report")
	String report(@RequestParam(defaultValue = "30s") Duration query) throws Exception {
		return this.work.track("report query", () -> {
			this.queries.run(query);
			return "report";
		});
	}

	@GetMapping("/healthy")
	int healthy() {
		return this.jdbc.queryForObject("SELECT 1", Integer.class);
	}

	@GetMapping("/pool")
	Map<String, Integer> pool() throws SQLException {
		HikariPoolMXBean pool = this.dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();
		return Map.of("active", pool.getActiveConnections(), "idle", pool.getIdleConnections(), "pending",
				pool.getThreadsAwaitingConnection(), "total", pool.getTotalConnections(), "queriesOnServer",
				this.queries.active());
	}

	@ResponseStatus(value = HttpStatus.INTERNAL_SERVER_ERROR, reason = "The shipping service timed out")
	static class ShippingTimeoutException extends RuntimeException {

		ShippingTimeoutException() {
			super("shipping service timed out");
		}

	}

}
