package io.github.cancelscope.autoconfigure.kafka;

import java.util.Arrays;
import java.util.Map;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.CommonLoggingErrorHandler;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.transaction.KafkaTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeKafkaAutoConfiguration}: what it gives the listener containers of an
 * application (none of these is started, so no broker is needed).
 */
class CancelScopeKafkaAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CancelScopeAutoConfiguration.class, CancelScopeKafkaAutoConfiguration.class));

	@Test
	void givesEachContainerTheScopeAdviceAndWrapsItsErrorHandler() {
		this.contextRunner.withUserConfiguration(Containers.class).run((context) -> {
			assertThat(context).hasSingleBean(ListenerContainerScopes.class);
			KafkaMessageListenerContainer<?, ?> plain = context.getBean("plain", KafkaMessageListenerContainer.class);
			assertThat(plain.getContainerProperties().getAdviceChain()).hasAtLeastOneElementOfType(RecordScopeInterceptor.class);
			assertThat(plain.getCommonErrorHandler()).isInstanceOfSatisfying(CancelledRecordErrorHandler.class,
					(handler) -> assertThat(handler.delegate()).as("what the container would have used")
						.isInstanceOf(DefaultErrorHandler.class));
		});
	}

	@Test
	void keepsTheUsersErrorHandlerAndAdviceBehindItsOwn() {
		this.contextRunner.withUserConfiguration(Containers.class).run((context) -> {
			KafkaMessageListenerContainer<?, ?> custom = context.getBean("custom", KafkaMessageListenerContainer.class);
			assertThat(custom.getCommonErrorHandler()).isInstanceOfSatisfying(CancelledRecordErrorHandler.class,
					(handler) -> assertThat(handler.delegate()).isInstanceOf(CommonLoggingErrorHandler.class));
			assertThat(Arrays.asList(custom.getContainerProperties().getAdviceChain())).hasSize(2)
				.first()
				.isInstanceOf(RecordScopeInterceptor.class);
		});
	}

	@Test
	void leavesATransactionalContainerWithoutErrorHandlerToItsAfterRollbackProcessor() {
		this.contextRunner.withUserConfiguration(Containers.class).run((context) -> {
			KafkaMessageListenerContainer<?, ?> transactional = context.getBean("transactional",
					KafkaMessageListenerContainer.class);
			assertThat(transactional.getCommonErrorHandler()).isNull();
			assertThat(transactional.getContainerProperties().getAdviceChain())
				.hasAtLeastOneElementOfType(RecordScopeInterceptor.class);
		});
	}

	@Test
	void scopesAContainerOnce() {
		this.contextRunner.withUserConfiguration(Containers.class).run((context) -> {
			KafkaMessageListenerContainer<?, ?> plain = context.getBean("plain", KafkaMessageListenerContainer.class);
			context.getBean(ListenerContainerScopes.class).scope(plain);
			assertThat(plain.getContainerProperties().getAdviceChain()).hasSize(1);
			assertThat(((CancelledRecordErrorHandler) plain.getCommonErrorHandler()).delegate())
				.isInstanceOf(DefaultErrorHandler.class);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ListenerContainerScopes.class));
	}

	@Test
	void backsOffWhenKafkaIsSwitchedOff() {
		this.contextRunner.withUserConfiguration(Containers.class)
			.withPropertyValues("cancelscope.kafka.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ListenerContainerScopes.class);
				assertThat(context.getBean("plain", KafkaMessageListenerContainer.class).getCommonErrorHandler()).isNull();
			});
	}

	@Test
	void isIgnoredWhenSpringKafkaIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(AbstractMessageListenerContainer.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ListenerContainerScopes.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class Containers {

		@Bean
		KafkaMessageListenerContainer<String, String> plain() {
			return container();
		}

		@Bean
		KafkaMessageListenerContainer<String, String> custom() {
			KafkaMessageListenerContainer<String, String> container = container();
			container.setCommonErrorHandler(new CommonLoggingErrorHandler());
			container.getContainerProperties().setAdviceChain((org.aopalliance.intercept.MethodInterceptor) (invocation) -> invocation.proceed());
			return container;
		}

		@Bean
		KafkaMessageListenerContainer<String, String> transactional() {
			KafkaMessageListenerContainer<String, String> container = container();
			DefaultKafkaProducerFactory<String, String> producers = new DefaultKafkaProducerFactory<>(Map.of());
			producers.setTransactionIdPrefix("tx-");
			container.getContainerProperties().setKafkaAwareTransactionManager(new KafkaTransactionManager<>(producers));
			return container;
		}

		private static KafkaMessageListenerContainer<String, String> container() {
			ContainerProperties properties = new ContainerProperties("orders");
			properties.setGroupId("orders");
			properties.setMessageListener((MessageListener<String, String>) (record) -> {
			});
			KafkaMessageListenerContainer<String, String> container = new KafkaMessageListenerContainer<>(
					new DefaultKafkaConsumerFactory<>(Map.of()), properties);
			container.setAutoStartup(false);
			return container;
		}

	}

}
