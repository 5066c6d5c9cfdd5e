package io.github.cancelscope.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.cancelscope.Registration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link DeadlineTimer}, on the real clock: each waits for an event, with a bound that
 * only a hang would miss, and checks order, never elapsed time.
 */
class DeadlineTimerTests {

	private static final long HANG_SECONDS = 20;

	private static long inMillis(long millis) {
		return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
	}

	@Test
	void firesDueTimersInOrderOfTheirDeadlines() throws InterruptedException {
		List<String> fired = new CopyOnWriteArrayList<>();
		CountDownLatch all = new CountDownLatch(3);
		DeadlineTimer timer = new DeadlineTimer(Runnable::run, "test-timer-order");
		timer.schedule(() -> record(fired, "third", all), inMillis(90));
		timer.schedule(() -> record(fired, "first", all), inMillis(30));
		timer.schedule(() -> record(fired, "second", all), inMillis(60));
		assertThat(all.await(HANG_SECONDS, TimeUnit.SECONDS)).as("all three timers fired").isTrue();
		assertThat(fired).containsExactly("first", "second", "third");
	}

	/**
	 * On a wheel of four 10 ms slots, timers due up to six turns ahead, scheduled out of order and
	 * some cancelled, fire in the order of their deadlines, and the cancelled ones never do.
	 */
	@Test
	void timersDueSeveralTurnsOfTheWheelAheadFireInOrder() throws InterruptedException {
		List<String> fired = new CopyOnWriteArrayList<>();
		CountDownLatch all = new CountDownLatch(5);
		DeadlineTimer timer = new DeadlineTimer(Runnable::run, "test-timer-turns", 4);
		timer.schedule(() -> record(fired, "250", all), inMillis(250));
		timer.schedule(() -> record(fired, "cancelled 100", all), inMillis(100)).close();
		timer.schedule(() -> record(fired, "45", all), inMillis(45));
		timer.schedule(() -> record(fired, "170", all), inMillis(170));
		timer.schedule(() -> record(fired, "15", all), inMillis(15));
		timer.schedule(() -> record(fired, "cancelled 200", all), inMillis(200)).close();
		timer.schedule(() -> record(fired, "95", all), inMillis(95));
		assertThat(all.await(HANG_SECONDS, TimeUnit.SECONDS)).as("the five armed timers fired").isTrue();
		// due after both cancelled ones: once it has fired, either of them would have
		CountDownLatch sentinel = new CountDownLatch(1);
		timer.schedule(sentinel::countDown, inMillis(10));
		assertThat(sentinel.await(HANG_SECONDS, TimeUnit.SECONDS)).as("the sentinel fired").isTrue();
		assertThat(fired).containsExactly("15", "45", "95", "170", "250");
	}

	@Test
	void aWheelOfSlotsThatAreNotAPowerOfTwoIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new DeadlineTimer(Runnable::run, "test-timer-slots", 6))
			.withMessage("wheelSlots must be a power of two: 6");
	}

	@Test
	void aCancelledTimerNeverFiresAndHoldsNothing() throws InterruptedException {
		AtomicBoolean cancelledRan = new AtomicBoolean();
		CountDownLatch later = new CountDownLatch(1);
		DeadlineTimer timer = new DeadlineTimer(Runnable::run, "test-timer-cancel");
		Registration cancelled = timer.schedule(() -> cancelledRan.set(true), inMillis(20));
		cancelled.close();
		cancelled.close();
		timer.schedule(later::countDown, inMillis(60));
		assertThat(later.await(HANG_SECONDS, TimeUnit.SECONDS)).as("the later timer fired").isTrue();
		assertThat(cancelledRan).as("the cancelled timer, due before the later one, ran").isFalse();
	}

	@Test
	void aTimerScheduledWhileTheThreadIdlesWakesIt() throws InterruptedException {
		DeadlineTimer timer = new DeadlineTimer(Runnable::run, "test-timer-idle");
		for (int i = 0; i < 3; i++) {
			CountDownLatch fired = new CountDownLatch(1);
			timer.schedule(fired::countDown, inMillis(5));
			assertThat(fired.await(HANG_SECONDS, TimeUnit.SECONDS)).as("timer %d fired after an idle spell", i).isTrue();
		}
	}

	@Test
	void anExecutorThatRefusesAnActionDoesNotStopTheTimer() throws InterruptedException {
		AtomicInteger executed = new AtomicInteger();
		DeadlineTimer timer = new DeadlineTimer((action) -> {
			if (executed.getAndIncrement() == 0) {
				throw new IllegalStateException("refused on purpose");
			}
			action.run();
		}, "test-timer-refusal");
		CountDownLatch second = new CountDownLatch(1);
		timer.schedule(() -> {
		}, inMillis(10));
		timer.schedule(second::countDown, inMillis(40));
		assertThat(second.await(HANG_SECONDS, TimeUnit.SECONDS)).as("the timer after the refused one fired").isTrue();
	}

	/**
	 * A timer cancelled within a sweep of being scheduled, as a request's deadline is, stays with
	 * the thread that scheduled it: the timer thread takes only the timers it found at two sweeps
	 * in a row or that are due before its next one. A cancel that left its timer in the stripe would
	 * leave all of these for it.
	 */
	@Test
	void timersCancelledSoonAfterTheyAreScheduledNeverReachTheTimerThread() throws InterruptedException {
		DeadlineTimer timer = new DeadlineTimer(Runnable::run, "test-timer-young");
		// keeps the timer thread sweeping meanwhile
		Registration armed = timer.schedule(() -> {
		}, inMillis(60_000));
		for (int i = 0; i < 100_000; i++) {
			timer.schedule(() -> {
			}, inMillis(2_000 + i % 100)).close();
		}
		CountDownLatch sentinel = new CountDownLatch(1);
		timer.schedule(sentinel::countDown, inMillis(10));
		assertThat(sentinel.await(HANG_SECONDS, TimeUnit.SECONDS)).as("the sentinel fired").isTrue();
		armed.close();
		// the sentinel, the long-lived one once it was found twice, and any of the others whose
		// thread was descheduled between scheduling and cancelling it for longer than a sweep
		assertThat(timer.taken()).as("timers the timer thread took").isLessThanOrEqualTo(10);
	}

	/**
	 * Timers that live across several sweeps, so that the timer thread takes them from their stripes
	 * into its wheel while another thread cancels half of them: each timer cancelled before it was due
	 * never fires, and every other one fires.
	 */
	@Test
	void timersCancelledFromAnotherThreadWhileTheTimerThreadTakesThemNeverFire() throws InterruptedException {
		int timers = 2_000;
		DeadlineTimer timer = new DeadlineTimer(Runnable::run, "test-timer-cross");
		boolean[] fired = new boolean[timers];
		long[] due = new long[timers];
		Registration[] registrations = new Registration[timers];
		CountDownLatch kept = new CountDownLatch(timers / 2);
		for (int i = 0; i < timers; i++) {
			int index = i;
			due[i] = inMillis(150 + (i % 250));
			registrations[i] = timer.schedule(() -> {
				synchronized (fired) {
					fired[index] = true;
				}
				if (index % 2 == 0) {
					kept.countDown();
				}
			}, due[i]);
		}
		// the odd ones, cancelled by a thread that did not schedule them, ten at a time with a pause of
		// 3 ms, so that the cancels run over 300 ms or more, through the sweeps that take the timers
		long[] cancelledAt = new long[timers];
		Thread canceller = new Thread(() -> {
			for (int i = 1; i < timers; i += 2) {
				registrations[i].close();
				cancelledAt[i] = System.nanoTime();
				if (i % 20 == 1) {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3));
				}
			}
		});
		canceller.start();
		canceller.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
		assertThat(canceller.isAlive()).as("the canceller still runs").isFalse();
		assertThat(kept.await(HANG_SECONDS, TimeUnit.SECONDS)).as("every timer not cancelled fired, %d left",
				kept.getCount()).isTrue();
		// due after every timer: once it has fired, any cancelled timer that was going to run has
		CountDownLatch sentinel = new CountDownLatch(1);
		timer.schedule(sentinel::countDown, inMillis(450));
		assertThat(sentinel.await(HANG_SECONDS, TimeUnit.SECONDS)).as("the sentinel fired").isTrue();
		List<Integer> firedAfterCancel = new ArrayList<>();
		synchronized (fired) {
			for (int i = 1; i < timers; i += 2) {
				// a cancel that returned before the timer was due must have stopped it
				if (fired[i] && cancelledAt[i] - due[i] < 0) {
					firedAfterCancel.add(i);
				}
			}
		}
		assertThat(firedAfterCancel).as("timers that fired though cancelled before they were due").isEmpty();
	}

	@Test
	void aStormOfSchedulesAndCancelsFromManyThreadsLosesNoArmedTimer() throws InterruptedException {
		int threads = 4;
		int perThread = 20_000;
		AtomicInteger cancelledRuns = new AtomicInteger();
		CountDownLatch armed = new CountDownLatch(threads * 25);
		DeadlineTimer timer = new DeadlineTimer(Runnable::run, "test-timer-storm");
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Thread worker = new Thread(() -> {
				for (int i = 0; i < perThread; i++) {
					if (i % 800 == 0) {
						timer.schedule(armed::countDown, inMillis(i % 50));
					}
					else {
						// due long after it is cancelled, right below
						timer.schedule(cancelledRuns::incrementAndGet, inMillis(300 + i % 30)).close();
					}
				}
			});
			workers.add(worker);
			worker.start();
		}
		for (Thread worker : workers) {
			worker.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
		}
		// due after every cancelled timer: once it has fired, any of them that was going to run has
		CountDownLatch sentinel = new CountDownLatch(1);
		timer.schedule(sentinel::countDown, inMillis(400));
		assertThat(sentinel.await(HANG_SECONDS, TimeUnit.SECONDS)).as("the sentinel timer fired").isTrue();
		assertThat(armed.await(HANG_SECONDS, TimeUnit.SECONDS)).as("every armed timer fired, %d left", armed.getCount())
			.isTrue();
		assertThat(cancelledRuns).as("cancelled timers that ran").hasValue(0);
	}

	private static void record(List<String> fired, String name, CountDownLatch all) {
		fired.add(name);
		all.countDown();
	}

}
