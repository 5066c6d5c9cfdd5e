package io.github.cancelscope.autoconfigure.escape;

import java.util.function.Consumer;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link AutoConfiguration Auto-configuration} of the watch for escaped threads: threads that a
 * unit of work (a request, a gRPC call, a scheduled run, ...) or its forks started and that are
 * still alive when it ends. Off unless {@code cancelscope.escaped.enabled=true}. They are listed by
 * the {@code cancelscope} actuator endpoint and counted as {@code cancelscope.escaped}.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnCancelScopeEnabled
@ConditionalOnBooleanProperty("cancelscope.escaped.enabled")
public final class CancelScopeEscapeAutoConfiguration {

	/** Name of the observer bean. */
	static final String OBSERVER_BEAN_NAME = "cancelScopeEscapeWatch";

	@Bean
	@ConditionalOnMissingBean
	EscapedThreads cancelScopeEscapedThreads(CancelScopeProperties properties,
			ObjectProvider<EscapeCounter> counter) {
		Consumer<EscapedThread> count = counter.getIfAvailable(() -> null);
		return new EscapedThreads(properties.getEscaped().getKeep(), (count != null) ? count : (escaped) -> {
		});
	}

	@Bean(name = OBSERVER_BEAN_NAME)
	EscapeWatch cancelScopeEscapeWatch(EscapedThreads escapedThreads) {
		return new EscapeWatch(escapedThreads);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class EscapeMetricsConfiguration {

		@Bean
		EscapeCounter cancelScopeEscapeCounter(MeterRegistry registry) {
			return new EscapeCounter(registry);
		}

	}

}
