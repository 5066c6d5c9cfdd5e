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
 * timer must wake the thread earlier than it planned, wakes nobody. Cancelling drops the action, so
 * a cancelled timer holds nothing. While timers are armed, the thread wakes every
 * {@value #SWEEP_MILLIS} ms: it takes the new timers and keeps only those still armed (most never
 * reach it), files each by its {@value #TICK_MILLIS} ms tick in a wheel of {@value #WHEEL_SLOTS}
 * lists, in one step, and turns the wheel on to the next sweep: a timer cancelled meanwhile is
 * dropped, also in one step, and one still armed moves to a heap that holds only the timers due
 * before the next sweep, and fires from there on time. A timer due before the thread's next wake-up
 * wakes it, so no deadline fires late by more than the time it takes to hand the action to the
 * expiry executor. When no timer is armed, the thread parks until one is.
 * <p>
 * With every armed timer in one heap and a wake-up every tick, this thread cost 0.8 to 1 µs per
 * request under load (a page of 40 statements, CPU per thread from {@code /proc}); with the wheel
 * and the sweep, 0.6 µs.
 */
final class DeadlineTimer implements Runnable {

	private static final System.Logger logger = System.getLogger(DeadlineTimer.class.getName());

	static final long TICK_MILLIS = 10;

	private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

	// a power of two: 5.12 s of ticks; a timer due later goes round the wheel
	static final int WHEEL_SLOTS = 512;

	static final long SWEEP_MILLIS = 100;

	// how far ahead each turn of the wheel looks, and how long the thread sleeps at most while timers are armed
	private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS);

	// far enough not to overflow when compared with System.nanoTime()
	private static final long IDLE_NANOS = TimeUnit.DAYS.toNanos(365);

	// timers scheduled since the timer thread last took them, newest first, linked through Timer.next
	private final AtomicReference<@Nullable Timer> incoming = new AtomicReference<>();

	// the rest is confined to the timer thread

	// timers due by the tick the wheel has reached
	private final PriorityQueue<Timer> due = new PriorityQueue<>();

	// timers due later, by tick, each slot a list linked through Timer.next
	private final @Nullable Timer[] wheel;

	private final int slotMask;

	private int inWheel;

	// the last tick whose timers have left the wheel
	private long reached;

	private final Executor expiry;

	private final Thread thread;

	// when the timer thread will next look at its timers, as System.nanoTime()
	private volatile long nextWakeNanos;

	DeadlineTimer(Executor expiry, String threadName) {
		this(expiry, threadName, WHEEL_SLOTS);
	}

	/**
	 * Creates a timer whose wheel has {@code wheelSlots} slots, a power of two; tests turn a small
	 * one many times.
	 */
	DeadlineTimer(Executor expiry, String threadName, int wheelSlots) {
		if (Integer.bitCount(wheelSlots) != 1) {
			throw new IllegalArgumentException("wheelSlots must be a power of two: " + wheelSlots);
		}
		this.wheel = new Timer[wheelSlots];
		this.slotMask = wheelSlots - 1;
		this.expiry = expiry;
		long now = System.nanoTime();
		this.nextWakeNanos = now + IDLE_NANOS;
		this.reached = tickOf(now);
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
			turnWheel(tickOf(now + SWEEP_NANOS));
			takeIncoming();
			for (Timer head; (head = this.due.peek()) != null && (head.action == null || head.at - now <= 0);) {
				this.due.poll();
				Runnable action = head.take();
				if (action != null) {
					expire(action);
				}
			}
			long wake = wakeAfter(now);
			this.nextWakeNanos = wake;
			// after the write: a timer pushed before it, by a thread that saw an earlier wake-up time
			// and so woke nobody, is taken here; one pushed after it sees this time
			if (takeIncoming()) {
				wake = wakeAfter(now);
				this.nextWakeNanos = wake;
			}
			LockSupport.parkNanos(this, wake - now);
		}
	}

	// files the timers scheduled since the last call, and drops those already cancelled
	private boolean takeIncoming() {
		Timer timer = this.incoming.getAndSet(null);
		boolean took = (timer != null);
		while (timer != null) {
			Timer next = timer.next;
			// a dropped timer, still held by its scope, must not hold the timers after it
			timer.next = null;
			if (timer.action != null) {
				file(timer);
			}
			timer = next;
		}
		return took;
	}

	// the first due timer if it falls within a sweep, else the next sweep, else (nothing armed) idle
	private long wakeAfter(long now) {
		Timer head = this.due.peek();
		if (head != null) {
			return Math.min(head.at, now + SWEEP_NANOS);
		}
		return (this.inWheel > 0) ? now + SWEEP_NANOS : now + IDLE_NANOS;
	}

	private static long tickOf(long nanoTime) {
		return Math.floorDiv(nanoTime, TICK_NANOS);
	}

	// a timer due by the tick the wheel has reached goes to the heap; a later one to its tick's slot
	private void file(Timer timer) {
		long tick = tickOf(timer.at);
		if (tick - this.reached <= 0) {
			this.due.add(timer);
			return;
		}
		int slot = (int) (tick & this.slotMask);
		timer.next = this.wheel[slot];
		this.wheel[slot] = timer;
		this.inWheel++;
	}

	/**
	 * Moves the wheel on to {@code tick}: the timers of each slot passed are dropped if cancelled,
	 * moved to the heap if due by then, and filed again if due a turn of the wheel later.
	 */
	private void turnWheel(long tick) {
		long slots = Math.min(tick - this.reached, this.wheel.length);
		long from = this.reached;
		this.reached = tick;
		for (long i = 1; i <= slots; i++) {
			int slot = (int) ((from + i) & this.slotMask);
			Timer timer = this.wheel[slot];
			this.wheel[slot] = null;
			while (timer != null) {
				Timer next = timer.next;
				timer.next = null;
				this.inWheel--;
				if (timer.action != null) {
					file(timer);
				}
				timer = next;
			}
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

		// the next older timer in the incoming stack, written before the timer is pushed; then, on
		// the timer thread, the next in its wheel slot
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
