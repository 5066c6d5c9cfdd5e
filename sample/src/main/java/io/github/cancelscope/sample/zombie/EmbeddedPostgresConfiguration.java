package io.github.cancelscope.sample.zombie;

import java.io.IOException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The {@code postgres} profile without a URL: starts an embedded PostgreSQL (real server binaries,
 * from Maven Central) and points the pool at it. With {@code spring.datasource.url} set, Spring Boot's
 * own DataSource is used instead.
 */
@Configuration(proxyBeanMethods = false)
@Profile("postgres")
@ConditionalOnProperty(name = "spring.datasource.url", matchIfMissing = true, havingValue = "embedded")
@EnableConfigurationProperties(DataSourceProperties.class)
class EmbeddedPostgresConfiguration {

	@Bean(destroyMethod = "close")
	EmbeddedPostgres embeddedPostgres() throws IOException {
		return EmbeddedPostgres.builder().start();
	}

	@Bean
	HikariDataSource dataSource(EmbeddedPostgres postgres, DataSourceProperties properties) {
		properties.setUrl(postgres.getJdbcUrl("postgres", "postgres"));
		properties.setUsername("postgres");
		properties.setPassword("postgres");
		return properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
	}

}
