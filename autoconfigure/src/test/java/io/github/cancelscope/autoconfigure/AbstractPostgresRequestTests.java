package io.github.cancelscope.autoconfigure;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Requests to a test application on a real server whose {@code DataSource} is the
 * {@link EmbeddedPostgresServer}: after each test, no query of the application runs on the server
 * and every connection is back in the pool. A subclass names its application's connections with
 * {@code spring.datasource.hikari.data-source-properties.ApplicationName}.
 */
public abstract class AbstractPostgresRequestTests {

	@LocalServerPort
	private int port;

	@Autowired
	private DataSource dataSource;

	private LoopbackHttp http;

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		registry.add("spring.datasource.url", EmbeddedPostgresServer::jdbcUrl);
		registry.add("spring.datasource.username", () -> "postgres");
	}

	/**
	 * Returns the name the application's connections have in {@code pg_stat_activity}.
	 */
	protected abstract String applicationName();

	protected LoopbackHttp http() {
		return this.http;
	}

	protected DataSource dataSource() {
		return this.dataSource;
	}

	@BeforeEach
	void connect() {
		this.http = new LoopbackHttp(this.port);
	}

	@AfterEach
	void nothingLeftRunning() {
		PostgresActivity.awaitNothingRunning(applicationName(), this.dataSource);
	}

}
