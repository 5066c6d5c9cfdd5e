package io.github.cancelscope.autoconfigure.observation;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.micrometer.context.ContextSnapshotFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * {@link AutoConfiguration Auto-configuration} of a {@link TaskDecorator}, which Spring Boot applies
 * to the task executors it builds (those of {@code @Async} included): work submitted from inside a
 * scope keeps the scope's tracing and logging context, and, with
 * {@code cancelscope.async.bind-to-request=true}, is cancelled with the scope and awaited by it.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class,
		beforeName = "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration")
@ConditionalOnCancelScopeEnabled
public final class CancelScopeTaskExecutionAutoConfiguration {

	/** Name of the task decorator bean; define one with this name to replace it. */
	public static final String TASK_DECORATOR_BEAN_NAME = "cancelScopeTaskDecorator";

	@Bean(TASK_DECORATOR_BEAN_NAME)
	@ConditionalOnMissingBean(name = TASK_DECORATOR_BEAN_NAME)
	TaskDecorator cancelScopeTaskDecorator(CancelScopeProperties properties) {
		ClassLoader classLoader = CancelScopeTaskExecutionAutoConfiguration.class.getClassLoader();
		TaskDecorator contextPropagation = ClassUtils.isPresent("io.micrometer.context.ContextSnapshotFactory",
				classLoader) ? ContextPropagation.decorator() : null;
		String mdcKey = properties.getLog().getMdcKey();
		boolean mdc = StringUtils.hasText(mdcKey) && ClassUtils.isPresent("org.slf4j.MDC", classLoader);
		return new ScopeTaskDecorator(contextPropagation, properties.getAsync().isBindToRequest(),
				properties.getCloseTimeout(), mdc ? mdcKey : null);
	}

	private static final class ContextPropagation {

		static TaskDecorator decorator() {
			return new ContextPropagatingTaskDecorator(ContextSnapshotFactory.builder().build());
		}

	}

}
