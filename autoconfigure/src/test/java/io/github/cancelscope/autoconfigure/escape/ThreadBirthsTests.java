package io.github.cancelscope.autoconfigure.escape;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.spi.ScopeSettings;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How a thread creation is seen on the creating thread: the new thread's id, its kind and where it
 * was created, and which creations are not births.
 */
class ThreadBirthsTests {

	private final CancellableScope root = CancellableScope.root(ScopeSettings.defaults());

	private final EscapeWatch watch = new EscapeWatch(new EscapedThreads(10, (escaped) -> {
	}));

	private final WatchedUnit unit = new WatchedUnit(this.root, this.watch);

	@AfterEach
	void close() {
		this.watch.close();
		this.root.close();
	}

	@Test
	void platformThreadIsSeenWithItsIdAndWhereItWasCreated() throws Throwable {
		Thread thread = ThreadBirths.callWatched(this.unit, () -> new Thread(() -> {
		}, "born"));
		List<ThreadBirth> seen = births();
		assertThat(seen).hasSize(1);
		assertThat(seen.get(0).likelyId()).isEqualTo(thread.getId());
		assertThat(seen.get(0).virtual()).isFalse();
		assertThat(seen.get(0).startedFrom().get(0)).contains("ThreadBirthsTests.lambda$platformThreadIsSeen");
	}

	@Test
	void virtualThreadIsSeenWithItsIdAsVirtual() throws Throwable {
		assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21");
		Thread thread = ThreadBirths.callWatched(this.unit, ThreadBirthsTests::unstartedVirtualThread);
		List<ThreadBirth> seen = births();
		assertThat(seen).hasSize(1);
		assertThat(seen.get(0).likelyId()).isEqualTo(thread.getId());
		assertThat(seen.get(0).virtual()).isTrue();
		assertThat(seen.get(0).startedFrom()).anyMatch((frame) -> frame.contains("ThreadBirthsTests.unstartedVirtualThread"));
	}

	@Test
	void forksOfCancelScopeAreNotBirths() throws Throwable {
		String joined = ThreadBirths.callWatched(this.unit,
				() -> this.root.fork(() -> "a").join() + this.root.fork(() -> "b").join());
		assertThat(joined).isEqualTo("ab");
		assertThat(births()).isEmpty();
		assertThat(this.watch.births.sum()).isZero();
	}

	@Test
	void workersThatAPoolAddsWhileATaskIsSubmittedAreNotBirths() throws Throwable {
		ExecutorService pool = Executors.newFixedThreadPool(2);
		ForkJoinPool forkJoinPool = new ForkJoinPool(2);
		try {
			ThreadBirths.callWatched(this.unit, () -> {
				pool.submit(() -> "a").get(30, TimeUnit.SECONDS);
				return forkJoinPool.submit(() -> "b").get(30, TimeUnit.SECONDS);
			});
			assertThat(births()).isEmpty();
		}
		finally {
			pool.shutdownNow();
			forkJoinPool.shutdownNow();
		}
	}

	@Test
	void threadsOfABornThreadAreNotWatched() throws Throwable {
		CountDownLatch grandchildMade = new CountDownLatch(1);
		Thread child = ThreadBirths.callWatched(this.unit, () -> new Thread(() -> {
			new Thread(() -> {
			}, "grandchild");
			grandchildMade.countDown();
		}, "child"));
		child.start();
		assertThat(grandchildMade.await(30, TimeUnit.SECONDS)).isTrue();
		child.join();
		// one birth, not two; its id is the likely one, which threads made elsewhere in this JVM at
		// the same moment shift by as many
		assertThat(births()).singleElement()
			.extracting(ThreadBirth::likelyId, InstanceOfAssertFactories.LONG)
			.isBetween(child.getId() - 8, child.getId() + 8);
	}

	@Test
	void bindingRestoresWhatWasBoundBefore() throws Throwable {
		WatchedUnit other = new WatchedUnit(this.root, this.watch);
		ThreadBirths.callWatched(this.unit, () -> {
			ThreadBirths.callWatched(other, () -> new Thread(() -> {
			}));
			assertThat(ThreadBirths.current()).isSameAs(this.unit);
			return new Thread(() -> {
			});
		});
		assertThat(ThreadBirths.current()).isNull();
		assertThat(births()).hasSize(1);
		assertThat(other.births()).hasSize(1);
		new Thread(() -> {
		});
		assertThat(births()).hasSize(1);
	}

	/**
	 * Many units create threads at once while other threads create threads too: every birth goes to
	 * the unit that created it, and the id is the new thread's unless another thread took one in the
	 * same instant (counted, and reported by the test).
	 */
	@Test
	void birthsUnderAStormOfThreadCreationGoToTheirOwnUnit() throws Exception {
		int units = 8;
		int perUnit = 200;
		ExecutorService creators = Executors.newFixedThreadPool(units + 2);
		List<WatchedUnit> watched = new ArrayList<>();
		List<java.util.concurrent.Future<List<Long>>> made = new ArrayList<>();
		CountDownLatch go = new CountDownLatch(1);
		java.util.concurrent.atomic.AtomicBoolean churn = new java.util.concurrent.atomic.AtomicBoolean(true);
		try {
			for (int i = 0; i < 2; i++) {
				creators.submit(() -> {
					go.await();
					while (churn.get()) {
						new Thread(() -> {
						});
					}
					return null;
				});
			}
			for (int i = 0; i < units; i++) {
				WatchedUnit each = new WatchedUnit(this.root, this.watch);
				watched.add(each);
				made.add(creators.submit(() -> {
					go.await();
					return ThreadBirths.callWatched(each, () -> {
						List<Long> ids = new ArrayList<>();
						for (int n = 0; n < perUnit; n++) {
							ids.add(new Thread(() -> {
							}).getId());
						}
						return ids;
					});
				}));
			}
			go.countDown();
			int linked = 0;
			for (int i = 0; i < units; i++) {
				List<Long> ids = made.get(i).get(60, TimeUnit.SECONDS);
				List<ThreadBirth> seen = watched.get(i).births();
				assertThat(seen).as("unit %d's births", i).hasSize(perUnit);
				for (int n = 0; n < perUnit; n++) {
					if (seen.get(n).likelyId() == ids.get(n)) {
						linked++;
					}
				}
			}
			// how many ids are right depends on how often the churning threads win the race for the next
			// id: 84-99 % on Java 25 and 37-87 % on Java 17 on two busy cores. Reported, not asserted;
			// the link itself is asserted without a storm above
			System.out.printf("ThreadBirthsTests: %d of %d births under the storm linked to their thread's id%n", linked,
					units * perUnit);
		}
		finally {
			churn.set(false);
			creators.shutdownNow();
		}
	}

	@SuppressWarnings("unchecked")
	private static Thread unstartedVirtualThread() throws ReflectiveOperationException {
		Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
		return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class).invoke(builder,
				(Runnable) () -> {
				});
	}

	private List<ThreadBirth> births() {
		return this.unit.births();
	}

}
