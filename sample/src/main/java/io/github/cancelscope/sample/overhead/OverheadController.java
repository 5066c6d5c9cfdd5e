package io.github.cancelscope.sample.overhead;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import io.github.cancelscope.sample.Parallel;
import jakarta.annotation.PostConstruct;
import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * Endpoints for the overhead benchmark ({@code benchmarks/overhead/overhead.sh}): typical request
 * shapes whose cost is measured with the starter on and off. They do the same work either way:
 * with cancelscope the two calls of {@code /overhead/fork} are forked in the request's scope, without
 * it ({@code --cancelscope.enabled=false}) they run on a virtual-thread executor.
 * <ul>
 * <li>{@code GET /overhead/fork}: one JDBC query and one RestClient call to {@code /overhead/echo}
 * of this same application, each in a fork, joined.</li>
 * <li>{@code GET /overhead/page}: about 40 small {@code SELECT ... WHERE id = ?} statements, as a page
 * that walks lazy JPA associations runs; in one read-only transaction (one pooled connection) by
 * default, {@code ?tx=false} to borrow a connection per statement.</li>
 * <li>{@code GET /overhead/echo}: a trivial answer, the RestClient call's target.</li>
 * <li>{@code GET /overhead/info}: {@code {"scoped":true}} when cancelscope is on.</li>
 * </ul>
 * The {@code overhead_item} table (50 rows) is created at start-up if missing.
 */
@RestController
class OverheadController {

	private static final String ITEM_QUERY = "SELECT name FROM overhead_item WHERE id = ?";

	private static final int ITEMS = 50;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate readOnly;

	private final RestClient.Builder restClients;

	private final Environment environment;

	private final Parallel parallel;

	private volatile @Nullable RestClient echoClient;

	OverheadController(JdbcTemplate jdbc, PlatformTransactionManager transactions, RestClient.Builder restClients,
			Environment environment, Parallel parallel) {
		this.jdbc = jdbc;
		this.readOnly = new TransactionTemplate(transactions);
		this.readOnly.setReadOnly(true);
		this.restClients = restClients;
		this.environment = environment;
		this.parallel = parallel;
	}

	@PostConstruct
	void createItems() {
		this.jdbc.execute("CREATE TABLE IF NOT EXISTS overhead_item (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL)");
		Integer count = this.jdbc.queryForObject("SELECT count(*) FROM overhead_item", Integer.class);
		if (count == null || count == 0) {
			List<Object[]> rows = new ArrayList<>();
			for (int id = 1; id <= ITEMS; id++) {
				rows.add(new Object[] { id, "item " + id });
			}
			this.jdbc.batchUpdate("INSERT INTO overhead_item (id, name) VALUES (?, ?)", rows);
		}
	}

	@GetMapping("/overhead/echo")
	String echo() {
		return "ok";
	}

	/**
	 * Whether requests run in a cancelscope scope here, so the benchmark can check which instance
	 * is which.
	 */
	@GetMapping("/overhead/info")
	Map<String, Object> info() {
		return Map.of("scoped", this.parallel.scoped());
	}

	@GetMapping("/overhead/fork")
	Map<String, String> fork(@RequestParam(defaultValue = "7") int id) {
		RestClient echo = echoClient();
		Supplier<String> item = this.parallel.fork(() -> this.jdbc.queryForObject(ITEM_QUERY, String.class, id));
		Supplier<String> reply = this.parallel.fork(() -> echo.get().uri("/overhead/echo").retrieve().body(String.class));
		return Map.of("item", item.get(), "call", String.valueOf(reply.get()));
	}

	@GetMapping("/overhead/page")
	Map<String, Object> page(@RequestParam(defaultValue = "40") int statements,
			@RequestParam(defaultValue = "true") boolean tx) {
		Callable<List<String>> load = () -> {
			List<String> names = new ArrayList<>(statements);
			for (int i = 0; i < statements; i++) {
				names.add(this.jdbc.queryForObject(ITEM_QUERY, String.class, (i % ITEMS) + 1));
			}
			return names;
		};
		List<String> names = tx ? this.readOnly.execute((status) -> call(load)) : call(load);
		return Map.of("statements", statements, "last", (names == null || names.isEmpty()) ? "" : names.getLast());
	}

	private RestClient echoClient() {
		RestClient client = this.echoClient;
		if (client == null) {
			// built once, as an application would; Boot's builder carries cancelscope's interceptor when it is on
			client = this.restClients.clone()
				.baseUrl("http://127.0.0.1:" + this.environment.getRequiredProperty("local.server.port"))
				.build();
			this.echoClient = client;
		}
		return client;
	}

	private static <T> T call(Callable<T> task) {
		try {
			return task.call();
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
