package io.github.cancelscope.autoconfigure.jdbc;

import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A stalled PostgreSQL on virtual-thread Tomcat ({@code spring.threads.virtual.enabled=true}): the
 * same answers, bounds and evictions as on platform threads.
 */
@SpringBootTest(classes = JdbcTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "test.slow-query=" + AbstractStalledPostgresTests.SLOW_QUERY,
				"spring.datasource.hikari.maximum-pool-size=" + AbstractStalledPostgresTests.POOL_SIZE,
				"spring.threads.virtual.enabled=true", AbstractStalledPostgresTests.JDK_POLLERS })
@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads need Java 21 or later")
class StalledPostgresVirtualThreadsIntegrationTests extends AbstractStalledPostgresTests {

	private static final String APP = "cancelscope-stalled-virtual";

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		StalledPostgres.register(registry, APP);
	}

	@Override
	String applicationName() {
		return APP;
	}

}
