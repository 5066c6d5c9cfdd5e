package io.github.cancelscope.autoconfigure.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import org.aopalliance.aop.Advice;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.ListenerContainerRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Before any listener container starts, gives each one known then (those of
 * {@code @KafkaListener} methods and those declared as beans) a {@link RecordScopeInterceptor} in
 * its advice chain and a {@link CancelledRecordErrorHandler} around its error handler.
 * <p>
 * It starts in a phase before the containers' ({@code Integer.MAX_VALUE - 100} by default), so it
 * stops after them: the records of a container that stops get their grace and are then cancelled
 * by the {@link ContainerStopWatch} while the containers' own phase waits for them.
 */
final class ListenerContainerScopes implements SmartLifecycle {

	/** Well before the listener containers and their registry, which start last by default. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(ListenerContainerScopes.class);

	private final ObjectProvider<ListenerContainerRegistry> registries;

	private final ObjectProvider<MessageListenerContainer> containerBeans;

	private final Supplier<CancellableScope> applicationScope;

	private final @Nullable Duration timeout;

	private final ContainerStopWatch stops;

	private volatile boolean running;

	ListenerContainerScopes(ObjectProvider<ListenerContainerRegistry> registries,
			ObjectProvider<MessageListenerContainer> containerBeans, Supplier<CancellableScope> applicationScope,
			@Nullable Duration timeout, ContainerStopWatch stops) {
		this.registries = registries;
		this.containerBeans = containerBeans;
		this.applicationScope = applicationScope;
		this.timeout = timeout;
		this.stops = stops;
	}

	@Override
	public void start() {
		Set<MessageListenerContainer> containers = new LinkedHashSet<>();
		this.registries.orderedStream().forEach((registry) -> containers.addAll(registry.getListenerContainers()));
		this.containerBeans.orderedStream().forEach(containers::add);
		for (MessageListenerContainer container : containers) {
			if (container instanceof AbstractMessageListenerContainer<?, ?> scopable) {
				scope(scopable);
			}
			else if (logger.isDebugEnabled()) {
				logger.debug("Records of listener container " + container.getListenerId() + " ("
						+ container.getClass().getName() + ") are not processed in scopes");
			}
		}
		this.running = true;
	}

	/**
	 * Adds the advice and the error handler to {@code container}, once.
	 */
	void scope(AbstractMessageListenerContainer<?, ?> container) {
		ContainerProperties properties = container.getContainerProperties();
		List<Advice> chain = new ArrayList<>(Arrays.asList(properties.getAdviceChain()));
		if (chain.stream().noneMatch(RecordScopeInterceptor.class::isInstance)) {
			// first, so the user's advice runs inside the scope
			chain.add(0, new RecordScopeInterceptor(container, this.applicationScope, this.timeout, this.stops));
			properties.setAdviceChain(chain.toArray(new Advice[0]));
		}
		CommonErrorHandler errorHandler = container.getCommonErrorHandler();
		if (errorHandler instanceof CancelledRecordErrorHandler) {
			return;
		}
		if (errorHandler == null) {
			if (properties.getTransactionManager() != null || properties.getKafkaAwareTransactionManager() != null) {
				// a transactional container without one leaves failures to its after-rollback processor
				return;
			}
			// what the container would use
			errorHandler = new DefaultErrorHandler();
		}
		container.setCommonErrorHandler(new CancelledRecordErrorHandler(errorHandler));
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
