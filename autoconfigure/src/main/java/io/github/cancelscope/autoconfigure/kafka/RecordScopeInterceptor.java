package io.github.cancelscope.autoconfigure.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Advice on a listener container's message listener: each record, or batch, that the container
 * hands it is processed in a scope of kind {@value #KIND}, a child of the application scope named
 * by the listener's id, with the configured timeout. A record still running the grace after its
 * container stopped is cancelled ({@link ContainerStopWatch}); one cancelled that way, or by
 * shutdown, fails with a {@link RecordCancelledException}, so that it is neither committed nor
 * recovered, but delivered again.
 */
final class RecordScopeInterceptor implements MethodInterceptor {

	/** Kind of the scope of a Kafka record or batch. */
	static final String KIND = "kafka";

	private final MessageListenerContainer container;

	private final String name;

	private final Supplier<CancellableScope> applicationScope;

	private final @Nullable Duration timeout;

	private final ContainerStopWatch stops;

	RecordScopeInterceptor(MessageListenerContainer container, Supplier<CancellableScope> applicationScope,
			@Nullable Duration timeout, ContainerStopWatch stops) {
		this.container = container;
		String id = container.getListenerId();
		this.name = (id != null && !id.isBlank()) ? id : container.getClass().getSimpleName();
		this.applicationScope = applicationScope;
		this.timeout = timeout;
		this.stops = stops;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object[] arguments = invocation.getArguments();
		if (!invocation.getMethod().getName().equals("onMessage") || arguments.length == 0) {
			return invocation.proceed();
		}
		String description = describe(arguments[0]);
		ScopeOptions options = ScopeOptions.of(KIND, this.name).withDescription(description).withTimeout(this.timeout);
		CancellableScope scope;
		try {
			scope = RequestScope.find()
				.map((parent) -> parent.openChild(options))
				.orElseGet(() -> this.applicationScope.get().openChild(options));
		}
		catch (IllegalStateException ex) {
			// the application scope has ended: the application shuts down, so leave it to the next run
			throw new RecordCancelledException(description, CancellationReason.SHUTDOWN, ex);
		}
		Object result = null;
		Throwable failure = null;
		Optional<Cancellation> cancellation;
		Registration watch = this.stops.watch(scope, this.container);
		try {
			result = scope.call(() -> scope.interruptible(KIND, invocation::proceed));
		}
		catch (Throwable ex) {
			failure = ex;
		}
		finally {
			watch.close();
			// as the listener returned: a cancellation that comes later did not stop it
			cancellation = scope.cancellation();
			try {
				scope.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (cancellation.filter((c) -> c.reason() == CancellationReason.SHUTDOWN).isPresent()) {
			// stopped, as asked, however the listener reports it (a ScopeCancelledException, a failed
			// query, an interrupt it swallowed): not processed, so not to be committed or recovered
			throw new RecordCancelledException(description, CancellationReason.SHUTDOWN, failure);
		}
		if (failure != null) {
			throw failure;
		}
		return result;
	}

	private static String describe(Object data) {
		if (data instanceof ConsumerRecord<?, ?> record) {
			return record.topic() + "-" + record.partition() + "@" + record.offset();
		}
		if (data instanceof ConsumerRecords<?, ?> records) {
			return "batch of " + records.count() + " records from " + records.partitions();
		}
		if (data instanceof Collection<?> batch) {
			Object first = batch.isEmpty() ? null : batch.iterator().next();
			return "batch of " + batch.size() + " records"
					+ ((first instanceof ConsumerRecord<?, ?> record) ? " from " + record.topic() : "");
		}
		return "record";
	}

}
