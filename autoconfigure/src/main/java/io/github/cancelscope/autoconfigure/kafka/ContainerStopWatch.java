package io.github.cancelscope.autoconfigure.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;
import io.github.cancelscope.spi.ScopeClock;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Cancels, with {@link CancellationReason#SHUTDOWN}, the records still being processed when the
 * grace has passed since their listener container stopped: by
 * {@link MessageListenerContainer#stop()}, by its registry, or at application shutdown.
 * <p>
 * A container says nothing when it is told to stop (its {@code stop()} waits for the record in
 * flight, and its events come after the consumer has ended), so while records are in flight the
 * watch looks at their containers every {@value #TICK_MILLIS} ms on the {@link ScopeClock}; with
 * none in flight it does nothing.
 */
final class ContainerStopWatch {

	static final long TICK_MILLIS = 25;

	private static final Log logger = LogFactory.getLog(ContainerStopWatch.class);

	private final ScopeClock clock;

	private final long graceNanos;

	private final Map<CancellableScope, MessageListenerContainer> inFlight = new ConcurrentHashMap<>();

	// when each container was first seen stopped, on the clock; gone once it runs again
	private final Map<MessageListenerContainer, Long> stoppedAt = new ConcurrentHashMap<>();

	private final AtomicBoolean ticking = new AtomicBoolean();

	ContainerStopWatch(ScopeClock clock, Duration grace) {
		this.clock = clock;
		this.graceNanos = grace.toNanos();
	}

	/**
	 * Watches the container of a record, or batch, processed in {@code scope}, until the returned
	 * registration is closed.
	 */
	Registration watch(CancellableScope scope, MessageListenerContainer container) {
		this.inFlight.put(scope, container);
		if (this.ticking.compareAndSet(false, true)) {
			schedule();
		}
		return () -> this.inFlight.remove(scope);
	}

	private void schedule() {
		this.clock.schedule(this::tick, this.clock.nanoTime() + Duration.ofMillis(TICK_MILLIS).toNanos());
	}

	private void tick() {
		try {
			long now = this.clock.nanoTime();
			this.stoppedAt.keySet()
				.removeIf((container) -> container.isRunning() || !this.inFlight.containsValue(container));
			this.inFlight.forEach((scope, container) -> {
				if (container.isRunning()) {
					return;
				}
				long since = this.stoppedAt.computeIfAbsent(container, (stopped) -> now);
				if (now - since >= this.graceNanos && scope.cancel(CancellationReason.SHUTDOWN)
						&& logger.isInfoEnabled()) {
					logger.info("Cancelled " + scope.description() + " of Kafka listener " + scope.name() + ": still running "
							+ Duration.ofNanos(this.graceNanos).toMillis() + " ms after its container stopped");
				}
			});
		}
		finally {
			this.ticking.set(false);
			// a watch() that found the flag still set relies on this check to go on ticking
			if (!this.inFlight.isEmpty() && this.ticking.compareAndSet(false, true)) {
				schedule();
			}
		}
	}

}
