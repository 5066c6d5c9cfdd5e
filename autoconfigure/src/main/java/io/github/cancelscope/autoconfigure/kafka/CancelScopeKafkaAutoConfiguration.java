package io.github.cancelscope.autoconfigure.kafka;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.spi.ScopeClock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} that
 * processes each record, or batch, of a Spring Kafka listener container in a scope of kind
 * {@code kafka}, a child of the application scope, and cancels it when its container stops or the
 * application shuts down, leaving it for redelivery.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass(AbstractMessageListenerContainer.class)
@ConditionalOnCancelScopeEnabled
@ConditionalOnBooleanProperty(name = "cancelscope.kafka.enabled", matchIfMissing = true)
public final class CancelScopeKafkaAutoConfiguration {

	@Bean
	ListenerContainerScopes cancelScopeListenerContainerScopes(ObjectProvider<ListenerContainerRegistry> registries,
			ObjectProvider<MessageListenerContainer> containers, ObjectProvider<CancellableScope> applicationScope,
			ScopeClock clock, CancelScopeProperties properties) {
		ContainerStopWatch stops = new ContainerStopWatch(clock, properties.getShutdown().getGrace());
		return new ListenerContainerScopes(registries, containers, applicationScope::getObject,
				properties.getKafka().getTimeout(), stops);
	}

}
