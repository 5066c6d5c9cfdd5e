package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ThreadSlots}: what the watcher takes, when, and how often, with request threads
 * occupying and vacating their slots meanwhile.
 */
class ThreadSlotsTests {

	private final ThreadSlots<Request> slots = new ThreadSlots<>();

	@Test
	void aWatchIsTakenOnceAndOnlyWhenDue() {
		ThreadSlots.Slot<Request> slot = this.slots.ofCurrentThread();
		assertThat(slot).isNotNull();
		slot.occupy(new Request("first", 100));
		List<String> taken = new ArrayList<>();
		this.slots.takeDue(99, (watch) -> taken.add(watch.name()));
		assertThat(taken).as("before its grace").isEmpty();
		this.slots.takeDue(100, (watch) -> taken.add(watch.name()));
		this.slots.takeDue(200, (watch) -> taken.add(watch.name()));
		assertThat(taken).containsExactly("first");
		slot.occupy(new Request("second", 300));
		this.slots.takeDue(300, (watch) -> taken.add(watch.name()));
		assertThat(taken).containsExactly("first", "second");
	}

	@Test
	void aVacatedSlotIsNotOccupiedAndYieldsNothing() {
		ThreadSlots.Slot<Request> slot = this.slots.ofCurrentThread();
		Request request = new Request("request", 0);
		slot.occupy(request);
		assertThat(this.slots.anyOccupied()).isTrue();
		slot.vacate(new Request("another request", 0));
		assertThat(this.slots.anyOccupied()).as("vacated for another watch").isTrue();
		slot.vacate(request);
		assertThat(this.slots.anyOccupied()).isFalse();
		List<Request> taken = new ArrayList<>();
		this.slots.takeDue(Long.MAX_VALUE / 2, taken::add);
		assertThat(taken).isEmpty();
	}

	@Test
	void onlyTheSlotsOwnThreadVacatesIt() throws Exception {
		ThreadSlots.Slot<Request> slot = this.slots.ofCurrentThread();
		Request asynchronous = new Request("asynchronous request", 0);
		slot.occupy(asynchronous);
		Thread elsewhere = new Thread(() -> slot.vacate(asynchronous));
		elsewhere.start();
		elsewhere.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(slot.watch()).as("after a completion on another thread").isSameAs(asynchronous);
	}

	@Test
	void eachThreadHasItsOwnSlotAndEndedThreadsArePruned() throws Exception {
		Map<String, ThreadSlots.Slot<Request>> seen = new ConcurrentHashMap<>();
		Thread thread = new Thread(() -> seen.put("other", this.slots.ofCurrentThread()));
		thread.start();
		thread.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(seen.get("other")).isNotNull().isNotSameAs(this.slots.ofCurrentThread());
		seen.get("other").occupy(new Request("left behind", 0));
		assertThat(this.slots.anyOccupied()).isTrue();
		this.slots.prune();
		assertThat(this.slots.anyOccupied()).as("the slot of a thread that ended").isFalse();
		assertThat(this.slots.ofCurrentThread()).as("a live thread's slot").isNotNull();
	}

	/**
	 * Two live threads whose ids fall on the same entry of the table each keep their own slot, on
	 * every lookup, whichever came first.
	 */
	@Test
	@SuppressWarnings("deprecation")
	void threadsWhoseIdsCollideKeepTheirOwnSlots() throws Exception {
		Map<String, List<ThreadSlots.Slot<Request>>> seen = new ConcurrentHashMap<>();
		CountDownLatch bothLooked = new CountDownLatch(2);
		CountDownLatch release = new CountDownLatch(1);
		Thread first = lookingTwice("first", seen, bothLooked, release);
		Thread second = lookingTwice("second", seen, bothLooked, release);
		// thread ids are handed out as threads are made: one of the next thousand shares first's entry
		while ((second.getId() - first.getId()) % 512 != 0) {
			second = lookingTwice("second", seen, bothLooked, release);
		}
		first.start();
		second.start();
		assertThat(bothLooked.await(10, TimeUnit.SECONDS)).as("both threads looked their slots up").isTrue();
		release.countDown();
		first.join(TimeUnit.SECONDS.toMillis(10));
		second.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(seen.get("first")).hasSize(4).containsOnly(seen.get("first").get(0));
		assertThat(seen.get("second")).hasSize(4).containsOnly(seen.get("second").get(0));
		assertThat(seen.get("first").get(0)).isNotSameAs(seen.get("second").get(0));
		assertThat(seen.get("first").get(0)).isNotSameAs(this.slots.ofCurrentThread());
	}

	// a thread, not started, that looks its slot up twice, waits for the other, then twice more
	private Thread lookingTwice(String name, Map<String, List<ThreadSlots.Slot<Request>>> seen,
			CountDownLatch bothLooked, CountDownLatch release) {
		Thread thread = new Thread(() -> {
			List<ThreadSlots.Slot<Request>> mine = new ArrayList<>();
			mine.add(this.slots.ofCurrentThread());
			mine.add(this.slots.ofCurrentThread());
			bothLooked.countDown();
			try {
				release.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			mine.add(this.slots.ofCurrentThread());
			mine.add(this.slots.ofCurrentThread());
			seen.put(name, mine);
		});
		thread.setDaemon(true);
		return thread;
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void virtualThreadsGetNoSlot() throws Exception {
		// through reflection: this test is compiled for Java 17
		Object virtual = Thread.class.getMethod("ofVirtual").invoke(null);
		AtomicBoolean slotless = new AtomicBoolean();
		Runnable task = () -> slotless.set(this.slots.ofCurrentThread() == null);
		Thread thread = (Thread) Class.forName("java.lang.Thread$Builder")
			.getMethod("start", Runnable.class)
			.invoke(virtual, task);
		thread.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(slotless).isTrue();
	}

	/**
	 * Request threads run short and long requests while the watcher takes due watches: every long
	 * request is taken exactly once, and no short one, whatever the interleaving.
	 */
	@Test
	void underRacingRequestsEveryLongRequestIsTakenOnceAndNoShortOne() throws Exception {
		int threads = 4;
		int requests = 5_000;
		Map<String, Integer> taken = new ConcurrentHashMap<>();
		AtomicInteger clock = new AtomicInteger();
		AtomicBoolean running = new AtomicBoolean(true);
		CountDownLatch done = new CountDownLatch(threads);
		List<String> longOnes = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			for (int r = 0; r < requests; r += 100) {
				longOnes.add(t + "-" + r);
			}
		}
		// daemons: a failed assertion must not leave them spinning in the test JVM
		Thread watcher = daemon(() -> {
			while (running.get()) {
				this.slots.takeDue(clock.get(), (watch) -> taken.merge(watch.name(), 1, Integer::sum));
			}
		});
		for (int t = 0; t < threads; t++) {
			int id = t;
			daemon(() -> {
				ThreadSlots.Slot<Request> slot = this.slots.ofCurrentThread();
				for (int r = 0; r < requests; r++) {
					String name = id + "-" + r;
					boolean isLong = (r % 100 == 0);
					// a short request is due only far in the future; a long one at once, and it waits to be taken
					Request watch = new Request(name, isLong ? clock.get() : Integer.MAX_VALUE);
					slot.occupy(watch);
					if (isLong) {
						long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
						while (!taken.containsKey(name) && System.nanoTime() < until) {
							Thread.onSpinWait();
						}
					}
					slot.vacate(watch);
				}
				done.countDown();
			});
		}
		try {
			assertThat(done.await(60, TimeUnit.SECONDS)).as("request threads finished").isTrue();
		}
		finally {
			running.set(false);
			watcher.join(TimeUnit.SECONDS.toMillis(10));
		}
		assertThat(taken.keySet()).containsExactlyInAnyOrderElementsOf(longOnes);
		assertThat(taken.values()).as("times each was taken").containsOnly(1);
	}

	private static Thread daemon(Runnable task) {
		Thread thread = new Thread(task);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	private record Request(String name, long watchFrom) implements ThreadSlots.Timed {
	}

}
