package io.github.cancelscope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.github.cancelscope.spi.ScopeClock;
import org.jspecify.annotations.Nullable;

/**
 * The timer that cancels a scope at its deadline, armed only when something in the scope first needs
 * it: a listener, a region, a fork or a child. Until then no one would hear it, and the scope sees a
 * passed deadline anyway whenever it is asked; so a request that registers nothing, and ends long
 * before its deadline as most do, arms no timer at all.
 * <p>
 * Its state moves one way: no deadline or a deadline not yet armed, then (briefly) arming, then an
 * armed timer, then disarmed once the scope is cancelled or closed. A disarm that overtakes an arming
 * closes the new timer. The alarm is itself the timer's action, so arming allocates nothing here.
 */
final class DeadlineAlarm implements Runnable {

	private static final Object ARMING = new Object();

	private static final Object DISARMED = new Object();

	private static final VarHandle STATE = Jdk.varHandle(MethodHandles.lookup(), "state", Object.class);

	private final ScopeLifecycle lifecycle;

	// null, a Deadline not yet armed, ARMING, the armed timer's Registration, or DISARMED
	private volatile @Nullable Object state;

	DeadlineAlarm(ScopeLifecycle lifecycle) {
		this.lifecycle = lifecycle;
	}

	/**
	 * Sets the deadline to arm a timer for later. Called before the scope is handed to its owner.
	 */
	void defer(Deadline deadline) {
		this.state = deadline;
	}

	/**
	 * Arms the timer if the deadline has not been armed yet; expires at once, on the calling thread,
	 * if the deadline has already passed.
	 */
	void arm(ScopeClock clock) {
		Object state = this.state;
		if (!(state instanceof Deadline deadline) || !STATE.compareAndSet(this, state, ARMING)) {
			return;
		}
		if (deadline.hasPassed(clock)) {
			this.state = DISARMED;
			run();
			return;
		}
		Registration timer = clock.schedule(this, deadline.nanos());
		if (!STATE.compareAndSet(this, ARMING, timer)) {
			timer.close();
		}
	}

	/**
	 * Returns whether a timer is armed for the deadline: it will cancel the scope when the deadline
	 * falls due, unless the scope is cancelled or closed first.
	 */
	boolean isArmed() {
		return this.state instanceof Registration;
	}

	/**
	 * Cancels the scope: its deadline has passed.
	 */
	@Override
	public void run() {
		this.lifecycle.cancel(DefaultScope.DEADLINE_PASSED, false);
	}

	/**
	 * Disarms the timer for good: the scope was cancelled or has closed.
	 */
	void disarm() {
		if (this.state != null && STATE.getAndSet(this, DISARMED) instanceof Registration timer) {
			timer.close();
		}
	}

}
