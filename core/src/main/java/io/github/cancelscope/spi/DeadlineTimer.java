package io.github.cancelscope.spi;

import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.cancelscope.Registration;
import org.jspecify.annotations.Nullable;

/**
 * The one timer thread of the {@link SystemScopeClock}, built for deadlines that are almost always
 * cancelled before they fall due: a request's scope closes long before its deadline.
 * <p>
 * Scheduling links the timer, which is its own node, into one of {@value #STRIPES} stripes, chosen
 * by the scheduling thread's id, under that stripe's lock; cancelling unlinks it there. The threads
 * of a pool, of consecutive ids, thus each keep to a stripe of their own, and a timer cancelled
 * within a sweep (most are) is made, linked and unlinked by one thread, with no write to memory
 * that another core holds, and the timer thread never sees it. While timers are armed, the timer
 * thread wakes every {@value #SWEEP_MILLIS} ms and sweeps the stripes: it takes the timers due
 * before its next sweep, and those still there from the sweep before, which are long-lived; every
 * other timer it only marks. A taken timer is filed by its {@value #TICK_MILLIS} ms tick in a wheel
 * of {@value #WHEEL_SLOTS} lists, in one step, and the wheel turns on to the next sweep: a timer
 * cancelled meanwhile is dropped, also in one step, and one still armed moves to a heap that holds
 * only the timers due before the next sweep, and fires from there on time. A timer due before the
 * thread's next wake-up wakes it, so no deadline fires late by more than the time it takes to hand
 * the action to the expiry executor. When no timer is armed, the thread parks until one is.
 * <p>
 * Measured under load (a page of 40 statements, CPU per thread from {@code /proc}): with every armed
 * timer in one heap and a wake-up every tick, this thread cost 0.8 to 1 µs per request; with the
 * wheel, fed by one lock-free stack that the timer thread emptied every sweep, 0.2 to 0.5 µs, and
 * scheduling was a compare-and-set on a stack that every core wrote.
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

	// a power of two; with fewer, a pool's threads shared stripes and each link wrote into a timer of
	// another thread's, in memory another core had written (the page's profile: 0.7 % of samples)
	private static final int STRIPES = 64;

	private final Stripe[] stripes;

	// the rest is confined to the timer thread

	// timers due by the tick the wheel has reached
	private final PriorityQueue<Timer> due = new PriorityQueue<>();

	// timers due later, by tick, each slot a list linked through Timer.next
	private final @Nullable Timer[] wheel;

	private final int slotMask;

	private int inWheel;

	// timers the last sweep left in the stripes
	private int inStripes;

	// timers taken from the stripes, for tests
	private volatile long taken;

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
		this.stripes = new Stripe[STRIPES];
		for (int i = 0; i < this.stripes.length; i++) {
			this.stripes[i] = new Stripe();
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

	@SuppressWarnings("deprecation") // threadId() is Java 19's name for it
	Registration schedule(Runnable action, long atNanoTime) {
		Stripe stripe = this.stripes[(int) Thread.currentThread().getId() & (this.stripes.length - 1)];
		Timer timer = new Timer(action, atNanoTime, stripe);
		synchronized (stripe) {
			stripe.link(timer);
		}
		// after the link: a timer thread going idle either sweeps the timer or is woken here
		if (atNanoTime - this.nextWakeNanos < 0) {
			LockSupport.unpark(this.thread);
		}
		return timer;
	}

	/**
	 * How many timers the timer thread has taken from the stripes: those that lived longer than a
	 * sweep, or were due before the next one.
	 */
	long taken() {
		return this.taken;
	}

	@Override
	public void run() {
		for (;;) {
			long now = System.nanoTime();
			turnWheel(tickOf(now + SWEEP_NANOS));
			sweep(true);
			for (Timer head; (head = this.due.peek()) != null && (head.action == null || head.at - now <= 0);) {
				this.due.poll();
				Runnable action = head.take();
				if (action != null) {
					expire(action);
				}
			}
			long wake = wakeAfter(now);
			this.nextWakeNanos = wake;
			// after the write: a timer linked before it, by a thread that saw an earlier wake-up time
			// and so woke nobody, is swept here; one linked after it sees this time
			sweep(false);
			long again = wakeAfter(now);
			if (again != wake) {
				wake = again;
				this.nextWakeNanos = wake;
			}
			LockSupport.parkNanos(this, wake - now);
		}
	}

	/**
	 * Takes from the stripes the timers due by the tick the wheel has reached and, if {@code age},
	 * those that a sweep before this one marked; marks the rest if {@code age}.
	 */
	private void sweep(boolean age) {
		int left = 0;
		long took = 0;
		for (Stripe stripe : this.stripes) {
			synchronized (stripe) {
				for (Timer timer = stripe.head; timer != null;) {
					Timer next = timer.next;
					if ((age && timer.marked) || tickOf(timer.at) - this.reached <= 0) {
						stripe.unlink(timer);
						took++;
						file(timer);
					}
					else {
						timer.marked |= age;
						left++;
					}
					timer = next;
				}
			}
		}
		this.inStripes = left;
		if (took > 0) {
			this.taken += took;
		}
	}

	// the first due timer if it falls within a sweep, else the next sweep, else (nothing armed) idle
	private long wakeAfter(long now) {
		Timer head = this.due.peek();
		if (head != null) {
			return Math.min(head.at, now + SWEEP_NANOS);
		}
		return (this.inWheel > 0 || this.inStripes > 0) ? now + SWEEP_NANOS : now + IDLE_NANOS;
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
	 * The timers scheduled by the threads whose ids fall on it, until a sweep takes them or they are
	 * cancelled: a doubly linked list through the timers, guarded by the stripe's monitor.
	 */
	private static final class Stripe extends StripePadding {

		private @Nullable Timer head;

		@SuppressWarnings("unused")
		private long q1, q2, q3, q4, q5, q6, q7;

		void link(Timer timer) {
			timer.inStripe = true;
			timer.next = this.head;
			if (this.head != null) {
				this.head.previous = timer;
			}
			this.head = timer;
		}

		void unlink(Timer timer) {
			Timer previous = timer.previous;
			Timer next = timer.next;
			if (previous != null) {
				previous.next = next;
			}
			else {
				this.head = next;
			}
			if (next != null) {
				next.previous = previous;
			}
			timer.previous = null;
			timer.next = null;
			timer.inStripe = false;
		}

	}

	// padded so that two stripes never share a cache line: threads on different cores would contend on it
	@SuppressWarnings("unused")
	private static class StripePadding {

		private long p1, p2, p3, p4, p5, p6, p7;

	}

	/**
	 * One scheduled action; closing it cancels it.
	 */
	private static final class Timer implements Registration, Comparable<Timer> {

		private final long at;

		private final Stripe stripe;

		private volatile @Nullable Runnable action;

		// guarded by the stripe while the timer is in it; then, on the timer thread, the next in its wheel slot
		private @Nullable Timer next;

		// guarded by the stripe
		private @Nullable Timer previous;

		// guarded by the stripe
		private boolean inStripe;

		// guarded by the stripe: a sweep found it there, and the next takes it
		private boolean marked;

		Timer(Runnable action, long at, Stripe stripe) {
			this.action = action;
			this.at = at;
			this.stripe = stripe;
		}

		@Nullable Runnable take() {
			Runnable action = this.action;
			this.action = null;
			return action;
		}

		@Override
		public void close() {
			synchronized (this.stripe) {
				if (this.inStripe) {
					this.stripe.unlink(this);
				}
			}
			// for a timer the timer thread has taken: it drops it on its next look
			this.action = null;
		}

		@Override
		public int compareTo(Timer other) {
			return Long.compare(this.at - other.at, 0);
		}

	}

}
