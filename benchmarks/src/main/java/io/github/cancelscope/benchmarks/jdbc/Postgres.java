package io.github.cancelscope.benchmarks.jdbc;

import java.io.IOException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An embedded PostgreSQL and a Hikari pool on it, for the JDBC benchmarks.
 */
final class Postgres implements AutoCloseable {

	private final EmbeddedPostgres server;

	private final HikariDataSource pool;

	private Postgres(EmbeddedPostgres server, HikariDataSource pool) {
		this.server = server;
		this.pool = pool;
	}

	static Postgres start(int poolSize) throws IOException {
		EmbeddedPostgres server = EmbeddedPostgres.builder().start();
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
		config.setUsername("postgres");
		config.setPassword("postgres");
		config.setMaximumPoolSize(poolSize);
		config.setMinimumIdle(poolSize);
		return new Postgres(server, new HikariDataSource(config));
	}

	HikariDataSource pool() {
		return this.pool;
	}

	DataSource admin() {
		return this.server.getPostgresDatabase();
	}

	@Override
	public void close() throws IOException {
		this.pool.close();
		this.server.close();
	}

}
