package io.github.cancelscope.autoconfigure.jdbc;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.jdbc.ConnectionAbortListener;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * {@link AutoConfiguration Auto-configuration} that makes every {@code DataSource} bean cancel its
 * statements, and stop waiting for connections, when the scope they run in is cancelled, and abort
 * the connection of a cancelled statement that does not return ({@code cancelscope.jdbc.abort-after}).
 * Aborts are counted as {@value JdbcAbortMetrics#ABORTS} when Micrometer is there; any
 * {@link ConnectionAbortListener} bean is told of them too.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass(DelegatingDataSource.class)
@ConditionalOnCancelScopeEnabled
@ConditionalOnBooleanProperty(name = "cancelscope.jdbc.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CancelScopeProperties.class)
public final class CancelScopeJdbcAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ScopedDataSourcePostProcessor cancelScopeDataSourcePostProcessor(
			ObjectProvider<CancelScopeProperties> properties, ObjectProvider<ConnectionAbortListener> listeners) {
		return new ScopedDataSourcePostProcessor(() -> properties.getObject().getJdbc().getExcludedBeans(), () -> {
			CancelScopeProperties.Jdbc jdbc = properties.getObject().getJdbc();
			ConnectionAbortListener all = (cancellation, afterCancel) -> listeners.orderedStream()
				.forEach((listener) -> listener.connectionAborted(cancellation, afterCancel));
			return new JdbcEscalation(jdbc.getAbortAfter(), jdbc.isDriverQueryTimeout(), all);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class AbortMetricsConfiguration {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		JdbcAbortMetrics cancelScopeJdbcAbortMetrics(ObjectProvider<MeterRegistry> registry) {
			return new JdbcAbortMetrics(registry);
		}

	}

}
