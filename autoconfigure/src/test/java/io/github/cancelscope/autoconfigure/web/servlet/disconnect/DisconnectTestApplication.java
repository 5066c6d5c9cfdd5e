package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import static org.assertj.core.api.Assertions.fail;

/**
 * An application whose handlers block the ways the client disconnect issue describes. Each request
 * names itself with an {@code id}; what happened to it is kept in a {@link Handled}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(DisconnectTestApplication.Endpoints.class)
class DisconnectTestApplication {

	/** H2's slow query: about 88 ns a row, so minutes; cancel stops it within milliseconds. */
	static final String H2_SLOW_QUERY = "SELECT SUM(X) FROM SYSTEM_RANGE(1, 2000000000)";

	static final String H2_URL = "jdbc:h2:mem:disconnect;DB_CLOSE_DELAY=-1";

	@Bean
	@Primary
	DataSource h2DataSource() {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(H2_URL);
		dataSource.setPoolName("h2");
		dataSource.setMinimumIdle(1);
		return dataSource;
	}

	@Bean
	@Lazy
	DataSource postgresDataSource() {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(EmbeddedPostgresServer.jdbcUrl() + "&ApplicationName=disconnect-tests");
		dataSource.setUsername("postgres");
		dataSource.setPoolName("postgres");
		dataSource.setMinimumIdle(1);
		return dataSource;
	}

	@RestController
	static class Endpoints {

		private final RequestScope scope;

		private final JdbcTemplate h2;

		private final JdbcTemplate postgres;

		Endpoints(RequestScope scope, DataSource h2DataSource,
				@Lazy @Qualifier("postgresDataSource") DataSource postgresDataSource) {
			this.scope = scope;
			this.h2 = new JdbcTemplate(h2DataSource);
			this.postgres = new JdbcTemplate(postgresDataSource);
		}

		@GetMapping("/hello")
		String hello(@RequestParam String id, @RequestParam(defaultValue = "0") long lingerMillis)
				throws InterruptedException {
			Handled handled = Handled.track(id);
			handled.started.countDown();
			if (lingerMillis > 0) {
				// long enough to be watched: the test is about a watched connection
				this.scope.interruptible("test", () -> {
					Thread.sleep(lingerMillis);
					return null;
				});
			}
			return "hello " + id;
		}

		@GetMapping("/sleep")
		String sleep(@RequestParam String id) throws InterruptedException {
			Handled handled = Handled.track(id);
			handled.started.countDown();
			return sleepUntilReleasedOrCancelled(handled);
		}

		/**
		 * Sleeps until cancelled, with a cancellation listener that takes as long as a database
		 * round trip, so that the threads that cancel are busy for a while.
		 */
		@GetMapping("/sleep-slow-cancel")
		String sleepSlowCancel(@RequestParam String id, @RequestParam long listenerMillis) throws InterruptedException {
			Handled handled = Handled.track(id);
			this.scope.onCancel((cancellation) -> {
				handled.cancelledOn = Thread.currentThread().getName();
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(listenerMillis));
			});
			handled.started.countDown();
			return sleepUntilReleasedOrCancelled(handled);
		}

		/**
		 * Goes asynchronous at once and completes when the request's scope is cancelled, so the
		 * request thread is free to serve others meanwhile.
		 */
		@GetMapping("/async")
		DeferredResult<String> async(@RequestParam String id) {
			Handled handled = Handled.track(id);
			DeferredResult<String> result = new DeferredResult<>(30_000L);
			this.scope.onCancel((cancellation) -> result.setResult("cancelled " + id));
			handled.started.countDown();
			return result;
		}

		@GetMapping("/fork-sleep")
		String forkSleep(@RequestParam String id) {
			Handled handled = Handled.track(id);
			return this.scope.fork(() -> {
				handled.started.countDown();
				Thread.sleep(30_000);
				return "slept";
			}).join();
		}

		@PostMapping("/upload")
		String upload(@RequestParam String id, @RequestBody byte[] body) throws InterruptedException {
			Handled handled = Handled.track(id);
			handled.body = new String(body, StandardCharsets.ISO_8859_1);
			handled.started.countDown();
			return sleepUntilReleasedOrCancelled(handled);
		}

		@PostMapping("/echo")
		String echo(@RequestParam String id, @RequestBody String body, @RequestParam(defaultValue = "0") long lingerMillis)
				throws InterruptedException {
			Handled handled = Handled.track(id);
			handled.body = body;
			handled.started.countDown();
			if (lingerMillis > 0) {
				this.scope.interruptible("test", () -> {
					Thread.sleep(lingerMillis);
					return null;
				});
			}
			return "echo " + body;
		}

		/**
		 * Writes and flushes the whole response after running past the grace, then goes on working
		 * until released.
		 */
		@GetMapping("/flush-then-work")
		void flushThenWork(@RequestParam String id, HttpServletResponse response)
				throws IOException, InterruptedException {
			Handled handled = Handled.track(id);
			this.scope.interruptible("test", () -> {
				Thread.sleep(50);
				return null;
			});
			byte[] body = ("flushed " + id).getBytes(StandardCharsets.UTF_8);
			response.setContentLength(body.length);
			response.getOutputStream().write(body);
			response.flushBuffer();
			handled.started.countDown();
			sleepUntilReleasedOrCancelled(handled);
		}

		@GetMapping("/postgres")
		String postgres(@RequestParam String id, @RequestParam(defaultValue = "false") boolean fork) {
			Handled handled = Handled.track(id);
			if (fork) {
				return this.scope.fork(() -> pgSleep(handled)).join();
			}
			return pgSleep(handled);
		}

		private String pgSleep(Handled handled) {
			return this.postgres.execute((ConnectionCallback<String>) (connection) -> {
				try (Statement statement = connection.createStatement()) {
					try (ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()")) {
						pid.next();
						handled.backend = pid.getInt(1);
					}
					handled.started.countDown();
					statement.execute("SELECT pg_sleep(30)");
					return "slept";
				}
			});
		}

		@GetMapping("/h2")
		String h2(@RequestParam String id, @RequestParam(defaultValue = "false") boolean fork) {
			Handled handled = Handled.track(id);
			if (fork) {
				return this.scope.fork(() -> h2Query(handled)).join();
			}
			return h2Query(handled);
		}

		private String h2Query(Handled handled) {
			return this.h2.execute((ConnectionCallback<String>) (connection) -> {
				try (Statement statement = connection.createStatement()) {
					try (ResultSet session = statement.executeQuery("SELECT SESSION_ID()")) {
						session.next();
						handled.backend = session.getInt(1);
					}
					handled.started.countDown();
					statement.execute(H2_SLOW_QUERY);
					return "summed";
				}
			});
		}

		@GetMapping("/conflict")
		String conflict() {
			throw new ConflictException("stock changed");
		}

		@GetMapping("/unhandled")
		String unhandled() {
			throw new InventoryDownException();
		}

		@GetMapping("/commit-then-change")
		void commitThenChange(HttpServletResponse response) throws IOException {
			response.getOutputStream().write("committed".getBytes(StandardCharsets.UTF_8));
			response.flushBuffer();
			// too late: the status and headers are on the wire
			response.setStatus(HttpStatus.INTERNAL_SERVER_ERROR.value());
			response.setHeader("X-Too-Late", "true");
			response.getOutputStream().write(", then more".getBytes(StandardCharsets.UTF_8));
		}

		@ExceptionHandler
		ResponseEntity<String> conflict(ConflictException ex) {
			return ResponseEntity.status(HttpStatus.CONFLICT).body("conflict: " + ex.getMessage());
		}

		private String sleepUntilReleasedOrCancelled(Handled handled) throws InterruptedException {
			try {
				return this.scope.interruptible("test", () -> {
					if (!handled.release.await(30, TimeUnit.SECONDS)) {
						throw new IllegalStateException("never released");
					}
					return "released " + handled.id;
				});
			}
			catch (InterruptedException ex) {
				this.scope.throwIfCancelled();
				throw ex;
			}
		}

	}

	static class InventoryDownException extends RuntimeException {

	}

	static class ConflictException extends RuntimeException {

		ConflictException(String message) {
			super(message);
		}

	}

	/**
	 * What happened to one request, shared by the handler and the test (one JVM).
	 */
	static final class Handled {

		private static final Map<String, Handled> all = new ConcurrentHashMap<>();

		final String id;

		final CountDownLatch started = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		/** The scope's cancellation reason when it ended, or NONE. */
		final CompletableFuture<String> ended = new CompletableFuture<>();

		volatile int backend = -1;

		volatile String body;

		/** The thread that ran the scope's cancellation listeners, if it was cancelled. */
		volatile String cancelledOn;

		private Handled(String id) {
			this.id = id;
		}

		static Handled of(String id) {
			return all.computeIfAbsent(id, Handled::new);
		}

		static Handled track(String id) {
			Handled handled = of(id);
			RequestScope scope = RequestScope.current();
			scope.defer(() -> handled.ended.complete(scope.cancellation().map((c) -> c.reason().name()).orElse("NONE")));
			return handled;
		}

		Handled awaitStarted() throws InterruptedException {
			if (!this.started.await(20, TimeUnit.SECONDS)) {
				fail("request " + this.id + " never started");
			}
			return this;
		}

		String awaitEnded() throws InterruptedException, ExecutionException {
			try {
				return this.ended.get(20, TimeUnit.SECONDS);
			}
			catch (TimeoutException ex) {
				return fail("the scope of request " + this.id + " did not end within 20s");
			}
		}

		boolean hasEnded() {
			return this.ended.isDone();
		}

	}

}
