package io.github.cancelscope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * What a cancellation of one scope must reach and that comes and goes while the scope runs: its
 * running regions, or its cancellation listeners. A scope nearly always holds one of each at a time
 * (a request's thread runs one statement after another, and waits for one pooled connection at a
 * time), so an element first tries the scope's single slot, with one compare-and-set and no lock; an
 * element that finds the slot taken goes to a list under the scope's lock.
 * <p>
 * An element and a cancellation meet as two threads do in Dekker's algorithm: the registering thread
 * adds the element, then reads the cancellation; the cancel writes the cancellation, then drains the
 * slot and the list. Each is a volatile access, so at least one of them sees the other: the cancel
 * takes the element, or the registering thread {@linkplain #remove takes it back} and acts on the
 * cancellation itself; {@code remove} tells which. In the list, the lock orders them. An element
 * added after its scope ended stays until it is removed: no cancel reaches it, as none would.
 *
 * @param <E> the type of the elements
 */
final class SlotRegistry<E> {

	private static final VarHandle SOLE = Jdk.varHandle(MethodHandles.lookup(), "sole", Object.class);

	private final ReentrantLock lock;

	private volatile @Nullable Object sole;

	// guarded by lock; made on first use
	private @Nullable List<E> others;

	SlotRegistry(ReentrantLock lock) {
		this.lock = lock;
	}

	/**
	 * Adds an element: to the slot if it is free, else to the list.
	 */
	void add(E element) {
		if (this.sole == null && SOLE.compareAndSet(this, null, element)) {
			return;
		}
		this.lock.lock();
		try {
			if (this.others == null) {
				this.others = new ArrayList<>(4);
			}
			this.others.add(element);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Removes an element, compared by identity: from the slot, or its last occurrence in the list
	 * (elements are usually removed in the reverse order of their adding).
	 * @return whether it was still there: then no cancellation drained it, and none will
	 */
	boolean remove(E element) {
		if (this.sole == element && SOLE.compareAndSet(this, element, null)) {
			return true;
		}
		this.lock.lock();
		try {
			List<E> others = this.others;
			return others != null && removeLast(others, element);
		}
		finally {
			this.lock.unlock();
		}
	}

	private static <E> boolean removeLast(List<E> elements, E element) {
		for (int i = elements.size() - 1; i >= 0; i--) {
			if (elements.get(i) == element) {
				elements.remove(i);
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns the elements and forgets them. Called holding the lock, after the cancellation is
	 * written when the scope is cancelled.
	 */
	List<E> drain() {
		List<E> others = this.others;
		this.others = null;
		return join(SOLE.getAndSet(this, null), (others != null) ? others : List.of());
	}

	/**
	 * Returns the elements registered now. Called holding the lock.
	 */
	List<E> copy() {
		return join(this.sole, (this.others != null) ? List.copyOf(this.others) : List.of());
	}

	@SuppressWarnings("unchecked") // only add() writes an element to the slot
	private static <E> List<E> join(@Nullable Object sole, List<E> others) {
		if (sole == null) {
			return others;
		}
		List<E> all = new ArrayList<>(others.size() + 1);
		all.add((E) sole);
		all.addAll(others);
		return all;
	}

}
