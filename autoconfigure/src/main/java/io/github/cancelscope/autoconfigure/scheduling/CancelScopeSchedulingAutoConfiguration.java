package io.github.cancelscope.autoconfigure.scheduling;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} that
 * runs each {@link org.springframework.scheduling.annotation.Scheduled @Scheduled} method call in a
 * scope of kind {@code scheduled}, a child of the application scope.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnCancelScopeEnabled
@ConditionalOnBooleanProperty(name = "cancelscope.scheduling.enabled", matchIfMissing = true)
public final class CancelScopeSchedulingAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static ScheduledRunPostProcessor cancelScopeScheduledRunPostProcessor(
			ObjectProvider<CancellableScope> applicationScope) {
		return new ScheduledRunPostProcessor(applicationScope::getObject);
	}

}
