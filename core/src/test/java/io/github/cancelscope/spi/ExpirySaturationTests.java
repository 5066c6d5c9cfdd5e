package io.github.cancelscope.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool that runs due deadlines is bounded (threads and queue): when it is full, a deadline is
 * not dropped but runs on the timer thread, and the saturation is counted. Tested with a pool of 2
 * threads and 4 queued actions behind a timer of its own, so that the JVM's clock is not touched.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExpirySaturationTests {

	private static final long HANG_SECONDS = 20;

	@Test
	void aFullPoolRunsDueDeadlinesOnTheTimerThreadAndCountsIt() throws InterruptedException {
		int threads = 2;
		int queue = 4;
		ThreadPoolExecutor expiry = SystemScopeClock.expiry(threads, queue);
		DeadlineTimer timer = new DeadlineTimer(expiry, "test-timer-saturated");
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch busy = new CountDownLatch(threads);
		long saturatedBefore = ExecutorSaturation.count(ExecutorSaturation.DEADLINES);
		int deadlines = threads + queue + 10;
		CountDownLatch fired = new CountDownLatch(deadlines);
		Set<String> firedOn = ConcurrentHashMap.newKeySet();
		try {
			List<Runnable> actions = new ArrayList<>();
			for (int i = 0; i < deadlines; i++) {
				boolean blocks = i < threads;
				actions.add(() -> {
					firedOn.add(Thread.currentThread().getName());
					fired.countDown();
					if (blocks) {
						busy.countDown();
						await(release);
					}
				});
			}
			// the blocking ones first, so that they hold both threads before the others fall due
			for (int i = 0; i < threads; i++) {
				timer.schedule(actions.get(i), System.nanoTime());
			}
			assertThat(busy.await(HANG_SECONDS, TimeUnit.SECONDS)).as("both expiry threads busy").isTrue();
			for (int i = threads; i < deadlines; i++) {
				timer.schedule(actions.get(i), System.nanoTime());
			}
			// the queue holds 4: the other 10 run on the timer thread while both threads are held
			Awaitility.await("deadlines run past a full pool")
				.atMost(HANG_SECONDS, TimeUnit.SECONDS)
				.until(() -> fired.getCount() <= queue);
			assertThat(firedOn).contains("test-timer-saturated");
			assertThat(ExecutorSaturation.count(ExecutorSaturation.DEADLINES) - saturatedBefore)
				.as("saturations counted").isGreaterThanOrEqualTo(deadlines - threads - queue);
		}
		finally {
			release.countDown();
		}
		assertThat(fired.await(HANG_SECONDS, TimeUnit.SECONDS)).as("every deadline fired, none dropped").isTrue();
		expiry.shutdown();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(HANG_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
