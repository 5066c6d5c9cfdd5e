package io.github.cancelscope.autoconfigure.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;
import io.github.cancelscope.test.ManualScopeClock;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link ContainerStopWatch} on a {@link ManualScopeClock}, with a real listener container that
 * was never started, so it is stopped from the first look: records get the grace, and then are
 * cancelled with {@code SHUTDOWN}; those that end first are not; the watch stops ticking when nothing
 * is in flight.
 */
class ContainerStopWatchTests {

	private static final Duration GRACE = Duration.ofMillis(500);

	private static final Duration TICK = Duration.ofMillis(ContainerStopWatch.TICK_MILLIS);

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	private final KafkaMessageListenerContainer<String, String> stopped = new KafkaMessageListenerContainer<>(
			new DefaultKafkaConsumerFactory<>(Map.of()), new ContainerProperties("orders"));

	@Test
	void aRecordOfAStoppedContainerIsCancelledOnceTheGraceHasPassedAndNotBefore() {
		ManualScopeClock clock = this.root.clock();
		ContainerStopWatch watch = new ContainerStopWatch(clock, GRACE);
		CancellableScope record = this.root.scope().openChild();
		Registration registration = watch.watch(record, this.stopped);
		// the first tick sees the container stopped; the grace counts from there
		clock.advance(TICK);
		clock.advance(GRACE.minus(TICK));
		assertThat(record.isCancelled()).as("cancelled before the grace passed").isFalse();
		clock.advance(TICK);
		assertThat(record.cancellation()).hasValueSatisfying((c) -> assertThat(c.reason()).isEqualTo(CancellationReason.SHUTDOWN));
		registration.close();
		record.close();
		clock.advance(TICK);
		assertThat(clock.pendingTimers()).as("timers left with nothing in flight").isZero();
	}

	@Test
	void aRecordThatEndsWithinTheGraceIsNotCancelled() {
		ManualScopeClock clock = this.root.clock();
		ContainerStopWatch watch = new ContainerStopWatch(clock, GRACE);
		CancellableScope record = this.root.scope().openChild();
		Registration registration = watch.watch(record, this.stopped);
		clock.advance(TICK);
		registration.close();
		clock.advance(GRACE.multipliedBy(2));
		assertThat(record.isCancelled()).isFalse();
		assertThat(clock.pendingTimers()).isZero();
		record.close();
	}

	@Test
	void aStormOfRecordsStartingAndEndingWhileTheClockRunsCancelsExactlyThoseStillInFlightAfterTheGrace()
			throws Exception {
		ManualScopeClock clock = this.root.clock();
		// longer than the ticks that race with the records can add up to
		Duration grace = Duration.ofHours(1);
		ContainerStopWatch watch = new ContainerStopWatch(clock, grace);
		int threads = 8;
		int recordsPerThread = 500;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<List<CancellableScope>>> leftInFlight = new ArrayList<>();
		try {
			for (int t = 0; t < threads; t++) {
				leftInFlight.add(pool.submit(() -> {
					start.await();
					List<CancellableScope> kept = new ArrayList<>();
					for (int i = 0; i < recordsPerThread; i++) {
						CancellableScope record = this.root.scope().openChild();
						Registration registration = watch.watch(record, this.stopped);
						if (i % 10 == 0) {
							kept.add(record);
						}
						else {
							registration.close();
							assertThat(record.isCancelled()).as("a record that ended before the grace").isFalse();
							record.close();
						}
					}
					return kept;
				}));
			}
			start.countDown();
			// ticks race with the records, at most 1000 of them, far from the grace
			int ticks = 0;
			while (leftInFlight.stream().anyMatch((future) -> !future.isDone())) {
				if (ticks++ < 1000) {
					clock.advance(TICK);
				}
				Thread.onSpinWait();
			}
			List<CancellableScope> kept = new ArrayList<>();
			for (Future<List<CancellableScope>> future : leftInFlight) {
				kept.addAll(future.get(30, TimeUnit.SECONDS));
			}
			assertThat(kept).hasSize(threads * recordsPerThread / 10);
			assertThat(kept).noneMatch(CancellableScope::isCancelled);
			clock.advance(TICK);
			clock.advance(grace);
			clock.advance(TICK);
			assertThat(kept).allMatch((record) -> record.cancellation()
				.filter((c) -> c.reason() == CancellationReason.SHUTDOWN)
				.isPresent());
			kept.forEach(CancellableScope::close);
		}
		finally {
			pool.shutdownNow();
			assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
	}

}
