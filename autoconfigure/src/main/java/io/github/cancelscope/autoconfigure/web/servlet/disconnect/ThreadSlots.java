package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The watches of the requests running on platform threads, one slot per thread, so that a request
 * that ends within the grace is never seen by the watcher: its thread writes its slot when the
 * request starts and clears it when it ends, in an object no other request thread writes, and the
 * watcher reads each slot once per tick. A virtual thread runs one request and ends, so it
 * gets no slot: the caller queues its watch instead.
 * <p>
 * A thread finds its slot in a table indexed by its id, which a pool's threads, numbered in the
 * order they start, share without collisions; a thread whose entry another holds falls back to a
 * {@link ThreadLocal}. A request thread's map of thread locals is crowded: a lookup in it missed its
 * first probe on most requests, and each entry there makes the application's own lookups (Spring's
 * transaction resources, once per statement) likelier to miss theirs, so a thread that does not
 * collide never gets one.
 *
 * @param <W> the type of the watches
 */
final class ThreadSlots<W extends ThreadSlots.Timed> {

	// Thread.isVirtual(), from Java 21; null before, where every thread is a platform thread
	private static final @Nullable MethodHandle IS_VIRTUAL = isVirtual();

	private static final int TABLE_SIZE = 512;

	private static final VarHandle BY_ID = MethodHandles.arrayElementVarHandle(Slot[].class);

	private final List<Slot<W>> slots = new CopyOnWriteArrayList<>();

	private final ThreadLocal<Slot<W>> local = ThreadLocal.withInitial(this::newSlot);

	// by thread id, modulo its length; an entry is set where there is none or its thread has ended,
	// with a compare-and-set, so a thread that loses the entry to another keeps its slot in the
	// thread local; read racily: a slot's thread is final, so a reader sees it whole or not at all
	@SuppressWarnings("unchecked")
	private final @Nullable Slot<W>[] byId = new Slot[TABLE_SIZE];

	private static @Nullable MethodHandle isVirtual() {
		try {
			return MethodHandles.publicLookup()
				.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
	}

	private Slot<W> newSlot() {
		Slot<W> slot = new Slot<>(Thread.currentThread());
		this.slots.add(slot);
		return slot;
	}

	/**
	 * Returns the calling thread's slot, or {@code null} on a virtual thread.
	 */
	@Nullable Slot<W> ofCurrentThread() {
		Thread thread = Thread.currentThread();
		if (IS_VIRTUAL != null && isVirtual(thread)) {
			return null;
		}
		int index = indexOf(thread);
		Slot<W> entry = this.byId[index];
		if (entry != null && entry.thread == thread) {
			return entry;
		}
		if (entry == null) {
			// a thread's first request goes straight to the table; so does one that fell back to the
			// thread local before, once the entry's thread has ended: its old slot stays empty
			Slot<W> slot = newSlot();
			if (!BY_ID.compareAndSet(this.byId, index, null, slot)) {
				this.local.set(slot);
			}
			return slot;
		}
		Slot<W> slot = this.local.get();
		// an entry whose thread still runs stays: two live threads would evict each other on every request
		if (!entry.thread.isAlive()) {
			BY_ID.compareAndSet(this.byId, index, entry, slot);
		}
		return slot;
	}

	@SuppressWarnings("deprecation") // threadId() is Java 19's name for it
	private static int indexOf(Thread thread) {
		return (int) thread.getId() & (TABLE_SIZE - 1);
	}

	private static boolean isVirtual(Thread thread) {
		try {
			return (boolean) IS_VIRTUAL.invokeExact(thread);
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Returns whether a slot holds a watch. Called by the watcher.
	 */
	boolean anyOccupied() {
		for (Slot<W> slot : this.slots) {
			if (slot.watch != null) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Hands each watch whose grace has passed to {@code due}, once. Called by the watcher.
	 */
	void takeDue(long now, Consumer<W> due) {
		for (Slot<W> slot : this.slots) {
			W watch = slot.watch;
			// the time is the watch's own: a slot's next request cannot lend its time to the last one
			if (watch != null && watch != slot.taken && now - watch.watchFrom() >= 0) {
				slot.taken = watch;
				due.accept(watch);
			}
		}
	}

	/**
	 * Forgets the slots of threads that have ended. Called by the watcher.
	 */
	void prune() {
		this.slots.removeIf((slot) -> !slot.thread.isAlive());
		for (int i = 0; i < this.byId.length; i++) {
			Slot<W> entry = this.byId[i];
			// only that entry: a live thread's, written meanwhile, stays
			if (entry != null && !entry.thread.isAlive()) {
				BY_ID.compareAndSet(this.byId, i, entry, null);
			}
		}
	}

	void clear() {
		this.slots.clear();
		Arrays.fill(this.byId, null);
	}

	@SuppressWarnings("unused")
	private static class SlotPadding {

		private long p1, p2, p3, p4, p5, p6, p7;

	}

	/**
	 * A watch: the time from which the watcher looks at it, fixed when it is made.
	 */
	interface Timed {

		long watchFrom();

	}

	/**
	 * One platform thread's request: written by that thread, read by the watcher. Padded: slots
	 * live as long as their threads, and a collection packs them side by side, where each thread's
	 * two writes per request would make the next request of the threads beside it miss its slot.
	 *
	 * @param <W> the type of the watch
	 */
	static final class Slot<W> extends SlotPadding {

		private final Thread thread;

		private volatile @Nullable W watch;

		// watcher only: the last watch it took from this slot
		private @Nullable W taken;

		// the JVM lays the longs out before the references, so the watch ends the object, and the
		// object after it begins with its padding
		@SuppressWarnings("unused")
		private long q1, q2, q3, q4, q5, q6, q7;

		Slot(Thread thread) {
			this.thread = thread;
		}

		@Nullable W watch() {
			return this.watch;
		}

		void occupy(W watch) {
			this.watch = watch;
		}

		/**
		 * Empties the slot if it still holds {@code watch}; only its own thread does, so that an
		 * asynchronous request ending elsewhere never empties the slot of the thread's next one.
		 */
		void vacate(W watch) {
			if (this.watch == watch && Thread.currentThread() == this.thread) {
				this.watch = null;
			}
		}

	}

}
