package io.github.cancelscope.autoconfigure.jdbc;

import java.sql.Connection;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.jdbc.ScopeCancelledSQLException;
import io.github.cancelscope.spi.ScopeSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link CancelScopeJdbcAutoConfiguration}.
 */
class CancelScopeJdbcAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeJdbcAutoConfiguration.class))
		.withBean("dataSource", DataSource.class, CancelScopeJdbcAutoConfigurationTests::h2);

	@Test
	void decoratesDataSource() {
		this.contextRunner.run((context) -> {
			DataSource dataSource = context.getBean("dataSource", DataSource.class);
			assertThat(dataSource).isInstanceOf(ScopedDataSource.class);
			try (CancellableScope scope = CancellableScope.root(ScopeSettings.defaults()).openChild()) {
				scope.cancel(CancellationReason.CANCELLED);
				scope.call(() -> assertThatExceptionOfType(ScopeCancelledSQLException.class)
					.isThrownBy(dataSource::getConnection));
			}
			try (Connection connection = dataSource.getConnection()) {
				assertThat(connection.isValid(1)).as("outside any scope the pool works as before").isTrue();
			}
		});
	}

	@Test
	void unwrapReachesThePool() {
		this.contextRunner.run((context) -> {
			DataSource dataSource = context.getBean("dataSource", DataSource.class);
			assertThat(dataSource.isWrapperFor(HikariDataSource.class)).isTrue();
			assertThat(dataSource.unwrap(HikariDataSource.class)).isInstanceOf(HikariDataSource.class);
			assertThat(((DelegatingDataSource) dataSource).getTargetDataSource()).isInstanceOf(HikariDataSource.class);
		});
	}

	@Test
	void skipsScopedTargets() {
		this.contextRunner
			.withBean(ScopedProxyUtils.getTargetBeanName("otherDataSource"), DataSource.class,
					CancelScopeJdbcAutoConfigurationTests::h2)
			.run((context) -> {
				assertThat(context.getBean(ScopedProxyUtils.getTargetBeanName("otherDataSource")))
					.isInstanceOf(HikariDataSource.class);
				assertThat(context.getBean("dataSource")).isInstanceOf(ScopedDataSource.class);
			});
	}

	@Test
	void leavesExcludedBeansAlone() {
		this.contextRunner.withBean("reportingDataSource", DataSource.class, CancelScopeJdbcAutoConfigurationTests::h2)
			.withPropertyValues("cancelscope.jdbc.excluded-beans=reportingDataSource")
			.run((context) -> {
				assertThat(context.getBean("reportingDataSource")).isInstanceOf(HikariDataSource.class);
				assertThat(context.getBean("dataSource")).isInstanceOf(ScopedDataSource.class);
			});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ScopedDataSourcePostProcessor.class);
			assertThat(context.getBean("dataSource")).isInstanceOf(HikariDataSource.class);
		});
	}

	@Test
	void backsOffWhenJdbcIsDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.jdbc.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ScopedDataSourcePostProcessor.class);
			assertThat(context.getBean("dataSource")).isInstanceOf(HikariDataSource.class);
		});
	}

	@Test
	void isIgnoredWhenJdbcIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(DelegatingDataSource.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ScopedDataSourcePostProcessor.class));
	}

	@Test
	void abortsStuckConnectionsAfterOneSecondAndLowersHikarisDefaultValidationTimeoutToIt() {
		this.contextRunner.run((context) -> {
			ScopedDataSource dataSource = context.getBean("dataSource", ScopedDataSource.class);
			assertThat(dataSource.cancellable().abortAfter()).contains(Duration.ofSeconds(1));
			assertThat(dataSource.unwrap(HikariDataSource.class).getValidationTimeout()).isEqualTo(1000);
		});
	}

	@Test
	void abortAfterIsConfigurable() {
		this.contextRunner.withPropertyValues("cancelscope.jdbc.abort-after=300ms").run((context) -> {
			ScopedDataSource dataSource = context.getBean("dataSource", ScopedDataSource.class);
			assertThat(dataSource.cancellable().abortAfter()).contains(Duration.ofMillis(300));
			assertThat(dataSource.unwrap(HikariDataSource.class).getValidationTimeout()).isEqualTo(300);
		});
	}

	@Test
	void driverQueryTimeoutIsOffUnlessAskedFor() {
		this.contextRunner.run((context) -> assertThat(
				context.getBean("dataSource", ScopedDataSource.class).cancellable().driverQueryTimeout())
			.isFalse());
		this.contextRunner.withPropertyValues("cancelscope.jdbc.driver-query-timeout=true")
			.run((context) -> assertThat(
					context.getBean("dataSource", ScopedDataSource.class).cancellable().driverQueryTimeout())
				.isTrue());
	}

	@Test
	void validationTimeoutSetByTheApplicationIsKept() {
		this.contextRunner.withBean("tunedDataSource", DataSource.class, () -> {
			HikariDataSource dataSource = h2();
			dataSource.setValidationTimeout(3000);
			return dataSource;
		}).run((context) -> assertThat(context.getBean("tunedDataSource", DataSource.class)
			.unwrap(HikariDataSource.class)
			.getValidationTimeout()).isEqualTo(3000));
	}

	@Test
	void abortAfterThatIsNotPositiveFailsStartUpSayingWhatToSet() {
		this.contextRunner.withPropertyValues("cancelscope.jdbc.abort-after=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("cancelscope.jdbc.abort-after must be positive"));
	}

	@Test
	void countsAbortsOnlyWhenMicrometerIsThere() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(JdbcAbortMetrics.class));
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(JdbcAbortMetrics.class));
	}

	private static HikariDataSource h2() {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl("jdbc:h2:mem:autoconfig;DB_CLOSE_DELAY=-1");
		dataSource.setMaximumPoolSize(2);
		return dataSource;
	}

}
