package io.github.cancelscope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Children are added to their parent without its lock ({@link ChildScopes}): these tests race child
 * scopes opening against their parent being cancelled and closed, and many threads opening and
 * closing children of one parent, as request threads do with the application scope.
 */
class ChildScopesRaceTests {

	private static final int ROUNDS = 300;

	private static final int OPENERS = 4;

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSystemClock();

	@Test
	void everyChildOpenedWhileItsParentIsCancelledIsCancelledWithIt() throws Exception {
		for (int round = 0; round < ROUNDS; round++) {
			CancellableScope parent = this.root.scope().openChild(Duration.ofHours(1));
			Queue<CancellableScope> opened = new ConcurrentLinkedQueue<>();
			race(() -> opened.add(parent.openChild()), () -> parent.cancel(CancellationReason.SHUTDOWN));
			for (CancellableScope child : opened) {
				assertThat(child.cancellation()).as("a child opened in round %d", round)
					.map(Cancellation::reason)
					.contains(CancellationReason.SHUTDOWN);
				child.close();
			}
			parent.close();
			assertThat(parent.children()).isEmpty();
		}
	}

	@Test
	void everyChildOpenedWhileItsParentClosesIsRefusedOrCancelledByTheClose() throws Exception {
		for (int round = 0; round < ROUNDS; round++) {
			CancellableScope parent = this.root.scope().openChild();
			Queue<CancellableScope> opened = new ConcurrentLinkedQueue<>();
			AtomicInteger refused = new AtomicInteger();
			race(() -> {
				try {
					opened.add(parent.openChild());
				}
				catch (IllegalStateException ex) {
					refused.incrementAndGet();
				}
			}, parent::close);
			for (CancellableScope child : opened) {
				// the close either saw the child and cancelled the scope, or the child saw the close
				assertThat(child.isCancelled()).as("a child the parent's close let open in round %d", round).isTrue();
				child.close();
			}
			assertThat(opened.size() + refused.get()).isEqualTo(OPENERS);
			assertThat(parent.children()).isEmpty();
		}
	}

	@Test
	void childrenOpenedAndClosedByManyThreadsLeaveTheirParentWithNone() throws Exception {
		CancellableScope parent = this.root.scope();
		int threads = 8;
		int each = 2_000;
		Queue<String> missing = new ConcurrentLinkedQueue<>();
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> workers = new ArrayList<>();
		for (int i = 0; i < threads; i++) {
			workers.add(TestThreads.start(() -> {
				Await.await(start, "the start signal");
				for (int n = 0; n < each; n++) {
					try (CancellableScope child = parent.openChild(Duration.ofSeconds(30))) {
						if (!parent.children().contains(child)) {
							missing.add(child.id());
						}
					}
				}
			}));
		}
		start.countDown();
		join(workers);
		assertThat(missing).as("open children their parent did not list").isEmpty();
		assertThat(parent.children()).isEmpty();
		assertThat(parent.isCancelled()).isFalse();
	}

	@Test
	void everyChildOpenedWhileARootIsCancelledOrClosedEndsWithIt() throws Exception {
		// a root spreads its children over stripes: the races above, on each stripe
		for (int round = 0; round < ROUNDS; round++) {
			CancellableScope root = CancellableScope.root(ScopeSettings.defaults());
			Queue<CancellableScope> opened = new ConcurrentLinkedQueue<>();
			AtomicInteger refused = new AtomicInteger();
			boolean cancel = (round % 2 == 0);
			race(() -> {
				try {
					opened.add(root.openChild());
				}
				catch (IllegalStateException ex) {
					refused.incrementAndGet();
				}
			}, cancel ? () -> root.cancel(CancellationReason.SHUTDOWN) : root::close);
			for (CancellableScope child : opened) {
				assertThat(child.isCancelled()).as("a child opened while its root %s in round %d",
						cancel ? "was cancelled" : "closed", round).isTrue();
				child.close();
			}
			assertThat(opened.size() + refused.get()).isEqualTo(OPENERS);
			root.close();
			assertThat(root.children()).isEmpty();
		}
	}

	@Test
	void aChildRemovedTwiceOrNeverAddedLeavesTheOthersListed() {
		CancellableScope root = this.root.scope();
		List<CancellableScope> open = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			open.add(root.openChild());
		}
		CancellableScope closed = open.remove(7);
		closed.close();
		closed.close();
		assertThat(root.children()).containsExactlyInAnyOrderElementsOf(open);
		for (CancellableScope child : open) {
			child.close();
		}
		assertThat(root.children()).isEmpty();
	}

	private static void race(Runnable opener, Runnable other) throws InterruptedException {
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < OPENERS; i++) {
			threads.add(TestThreads.start(() -> {
				Await.await(start, "the start signal");
				opener.run();
			}));
		}
		threads.add(TestThreads.start(() -> {
			Await.await(start, "the start signal");
			other.run();
		}));
		start.countDown();
		join(threads);
	}

	private static void join(List<Thread> threads) throws InterruptedException {
		for (Thread thread : threads) {
			thread.join(Duration.ofSeconds(30).toMillis());
			assertThat(thread.isAlive()).as("%s finished within 30 s", thread.getName()).isFalse();
		}
	}

}
