package io.github.cancelscope.autoconfigure.jooq;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cancelscope.autoconfigure.HandlerFailures;
import io.github.cancelscope.autoconfigure.ScopeEnds;
import org.jooq.DSLContext;
import org.jooq.Query;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application whose handlers run queries that sleep 30 s on PostgreSQL unless cancelled, with
 * the {@code DSLContext} and the {@code JdbcClient} that Spring Boot configures. Each request names
 * itself with an {@code id}; how its scope ended is kept in {@link ScopeEnds}, and the failure its
 * handler saw in {@link HandlerFailures}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(JooqTestApplication.SlowQueries.class)
class JooqTestApplication {

	static final String APPLICATION_NAME = "cancelscope-jooq";

	private static final String SLOW_QUERY = "SELECT 1 FROM pg_sleep(30)";

	/** The jOOQ query each {@code /jooq?own-cancel=true} request runs, for the test to cancel. */
	static final Map<String, Query> queries = new ConcurrentHashMap<>();

	@RestController
	static class SlowQueries {

		private final DSLContext dsl;

		private final JdbcClient jdbcClient;

		SlowQueries(DSLContext dsl, JdbcClient jdbcClient) {
			this.dsl = dsl;
			this.jdbcClient = jdbcClient;
		}

		@GetMapping("/jooq")
		String jooq(@RequestParam String id) {
			ScopeEnds.track(id);
			Query query = this.dsl.query(SLOW_QUERY);
			queries.put(id, query);
			return HandlerFailures.record(id, () -> "rows " + query.execute());
		}

		@GetMapping("/jdbc-client")
		String jdbcClient(@RequestParam String id) {
			ScopeEnds.track(id);
			return HandlerFailures.record(id, () -> "value " + this.jdbcClient.sql(SLOW_QUERY).query(Integer.class).single());
		}

		@GetMapping("/ping")
		String ping() {
			return "jooq " + this.dsl.fetchValue("SELECT 1") + ", jdbc client "
					+ this.jdbcClient.sql("SELECT 1").query(Integer.class).single();
		}


	}

}
