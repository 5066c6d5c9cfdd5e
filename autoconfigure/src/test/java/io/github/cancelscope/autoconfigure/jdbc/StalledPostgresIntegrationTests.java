package io.github.cancelscope.autoconfigure.jdbc;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A stalled PostgreSQL on Tomcat's platform threads, the default: where a request used to wait for
 * the database to come back.
 */
@SpringBootTest(classes = JdbcTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "test.slow-query=" + AbstractStalledPostgresTests.SLOW_QUERY,
				"spring.datasource.hikari.maximum-pool-size=" + AbstractStalledPostgresTests.POOL_SIZE,
				AbstractStalledPostgresTests.JDK_POLLERS })
class StalledPostgresIntegrationTests extends AbstractStalledPostgresTests {

	private static final String APP = "cancelscope-stalled";

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		StalledPostgres.register(registry, APP);
	}

	@Override
	String applicationName() {
		return APP;
	}

}
