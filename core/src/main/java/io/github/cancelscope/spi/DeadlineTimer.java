package io.github.cancelscope.spi;

import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.github.cancelscope.Registration;
import org.jspecify.annotations.Nullable;

/**
 * The one timer thread of the {@link SystemScopeClock}, built for deadlines that are almost always
 * cancelled before they fall due: a request's scope closes long before its deadline.
 * <p>
 * Scheduling pushes the timer onto a lock-free stack, the timer being its own node, and, unless the
 * timer must wake earlier than it planned, wakes nobody. Cancelling drops the action, so a cancelled
 * timer holds nothing. The timer thread takes new timers at most every {@value #TICK_MILLIS} ms and
 * keeps only those still armed in its heap: most never reach it. A timer due before the timer
 * thread's next wake-up wakes it, so no deadline fires late by more than the time it takes to hand
 * the action to the expiry executor. When no timer is armed, the thread parks until one is.
 */
final class DeadlineTimer implements Runnable {

	private static final System.Logger logger = System.getLogger(DeadlineTimer.class.getName());

	static final long TICK_MILLIS = 10;

	private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

	// far enough not to overflow when compared with System.nanoTime()
	private static final long IDLE_NANOS = TimeUnit.DAYS.toNanos(365);

	// timers scheduled since the timer thread last took them, newest first, linked through Timer.next
	private final AtomicReference<@Nullable Timer> incoming = new AtomicReference<>();

	// confined to the timer thread
	private final PriorityQueue<Timer> armed = new PriorityQueue<>();

	private final Executor expiry;

	private final Thread thread;

	// when the timer thread will next look at its timers, as System.nanoTime()
	private volatile long nextWakeNanos;

	DeadlineTimer(Executor expiry, String threadName) {
		this.expiry = expiry;
		this.nextWakeNanos = System.nanoTime() + IDLE_NANOS;
		this.thread = new Thread(this, threadName);
		this.thread.setDaemon(true);
		this.thread.start();
	}

	Registration schedule(Runnable action, long atNanoTime) {
		Timer timer = new Timer(action, atNanoTime);
		Timer head;
		do {
			head = this.incoming.get();
			timer.next = head;
		}
		while (!this.incoming.compareAndSet(head, timer));
		// after the add: a timer thread going idle either sees the timer or is woken here
		if (atNanoTime - this.nextWakeNanos < 0) {
			LockSupport.unpark(this.thread);
		}
		return timer;
	}

	@Override
	public void run() {
		for (;;) {
			long now = System.nanoTime();
			for (Timer timer = this.incoming.getAndSet(null); timer != null;) {
				Timer next = timer.next;
				timer.next = null;
				if (timer.action != null) {
					this.armed.add(timer);
				}
				timer = next;
			}
			for (Timer head; (head = this.armed.peek()) != null && (head.action == null || head.at - now <= 0);) {
				this.armed.poll();
				Runnable action = head.take();
				if (action != null) {
					expire(action);
				}
			}
			Timer head = this.armed.peek();
			long wake = (head != null) ? Math.min(head.at, now + TICK_NANOS) : now + IDLE_NANOS;
			this.nextWakeNanos = wake;
			// timers added since the drain, by threads that saw the old wake-up time, wait a tick at most
			if (this.incoming.get() != null) {
				wake = Math.min(wake, now + TICK_NANOS);
			}
			LockSupport.parkNanos(this, wake - now);
		}
	}

	private void expire(Runnable action) {
		try {
			this.expiry.execute(action);
		}
		catch (Throwable ex) {
			// the timer thread must outlive any one deadline
			logger.log(System.Logger.Level.ERROR, "A deadline could not be expired", ex);
		}
	}

	/**
	 * One scheduled action; closing it cancels it.
	 */
	private static final class Timer implements Registration, Comparable<Timer> {

		private final long at;

		private volatile @Nullable Runnable action;

		// the next older timer in the incoming stack; written before the timer is pushed
		private @Nullable Timer next;

		Timer(Runnable action, long at) {
			this.action = action;
			this.at = at;
		}

		@Nullable Runnable take() {
			Runnable action = this.action;
			this.action = null;
			return action;
		}

		@Override
		public void close() {
			this.action = null;
		}

		@Override
		public int compareTo(Timer other) {
			return Long.compare(this.at - other.at, 0);
		}

	}

}
