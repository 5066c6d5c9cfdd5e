package io.github.cancelscope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * The running regions of one scope. A scope nearly always runs one region at a time (a request's
 * thread, one statement after another), so a region first tries the scope's single slot, with one
 * compare-and-set and no lock; a region that finds the slot taken goes to a list under the scope's
 * lock.
 * <p>
 * A region and a cancellation meet as two threads do in Dekker's algorithm: the region takes the
 * slot, then reads the cancellation; the cancel writes the cancellation, then empties the slot.
 * Each is a volatile access, so at least one of them sees the other, and the region is aborted
 * (twice at most, which {@link AbortableRegion#abort} ignores). In the list, the lock orders them.
 * A region added after its scope ended stays until it exits: no cancel reaches it, as none would.
 */
final class Regions {

	private static final VarHandle SOLE = Jdk.varHandle(MethodHandles.lookup(), "sole", AbortableRegion.class);

	private final ReentrantLock lock;

	private volatile @Nullable AbortableRegion sole;

	// guarded by lock
	private final Registry<AbortableRegion> others = new Registry<>();

	Regions(ReentrantLock lock) {
		this.lock = lock;
	}

	/**
	 * Adds a region: to the slot if it is free, else to the list.
	 */
	void add(AbortableRegion region) {
		if (this.sole == null && SOLE.compareAndSet(this, null, region)) {
			return;
		}
		this.lock.lock();
		try {
			this.others.add(region);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Forgets a region that has exited, or whose scope's cancellation it saw after it registered.
	 */
	void remove(AbortableRegion region) {
		if (this.sole == region && SOLE.compareAndSet(this, region, null)) {
			return;
		}
		this.lock.lock();
		try {
			this.others.remove(region);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Returns the regions and forgets them. Called holding the lock, after the cancellation is
	 * written when the scope is cancelled.
	 */
	List<AbortableRegion> drain() {
		return join((AbortableRegion) SOLE.getAndSet(this, null), this.others.drain());
	}

	/**
	 * Returns the regions registered now. Called holding the lock.
	 */
	List<AbortableRegion> copy() {
		return join(this.sole, this.others.copy());
	}

	private static List<AbortableRegion> join(@Nullable AbortableRegion sole, List<AbortableRegion> others) {
		if (sole == null) {
			return others;
		}
		List<AbortableRegion> all = new ArrayList<>(others.size() + 1);
		all.add(sole);
		all.addAll(others);
		return all;
	}

}
