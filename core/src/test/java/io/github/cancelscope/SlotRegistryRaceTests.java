package io.github.cancelscope;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.test.RootScopeExtension;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scope's first listener and first running region register without the scope's lock
 * ({@link SlotRegistry}), and a region that leaves before any cancellation took it exits without a
 * compare-and-set ({@link AbortableRegion#exit(boolean)}): these tests race a cancel of the scope
 * against each step of a registration and of a region's life, round after round in lockstep, as a
 * statement or a wait for a pooled connection starting or ending while its request times out does.
 */
class SlotRegistryRaceTests {

	private static final int ROUNDS = 50_000;

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension().withSystemClock();

	/**
	 * The cancel either finds the region and aborts it, or the registration sees the cancellation
	 * and aborts it itself: either way a region that never began learns of the cancellation, and
	 * {@code begin()} refuses it. A registration that read the cancellation before taking the slot
	 * fails this test within a few thousand rounds.
	 */
	@Test
	void aRegionRegisteringWhileItsScopeIsCancelledIsAlwaysToldOfTheCancellation() throws Exception {
		List<DefaultScope> scopes = new ArrayList<>(ROUNDS);
		List<AbortableRegion> regions = new ArrayList<>(ROUNDS);
		for (int i = 0; i < ROUNDS; i++) {
			scopes.add((DefaultScope) this.root.scope().openChild());
			regions.add(new AbortableRegion("test", () -> {
			}, false, null));
		}
		// the cancel lands at each step of the registration
		Lockstep.race(ROUNDS, 64, (i) -> scopes.get(i).lifecycle().register(regions.get(i)),
				(i) -> scopes.get(i).cancel(CancellationReason.DEADLINE_EXCEEDED));
		List<Integer> untold = new ArrayList<>();
		for (int i = 0; i < ROUNDS; i++) {
			if (regions.get(i).begin() == null) {
				untold.add(i);
			}
			scopes.get(i).close();
		}
		assertThat(untold.size()).as("rounds whose region could begin in a cancelled scope, the first: %s",
				untold.subList(0, Math.min(10, untold.size())))
			.isZero();
	}

	/**
	 * Every round: the abort action ran at most once, only while the region was active, and never if the
	 * region's unregistering said that no cancellation had taken it; exit returned whether the action
	 * ran, after it had finished. In even rounds the region has the scope's slot, in odd ones the slot
	 * is taken and it goes to the list.
	 */
	@Test
	void aRegionThatLeavesBeforeTheCancelTookItIsNeverAbortedAndOneTakenIsAbortedWhileItRuns() throws Exception {
		List<Life> lives = new ArrayList<>(ROUNDS);
		for (int i = 0; i < ROUNDS; i++) {
			lives.add(new Life((DefaultScope) this.root.scope().openChild(), i % 2 == 1));
		}
		// the cancel lands at each step of the region's life
		Lockstep.race(ROUNDS, 96, (i) -> lives.get(i).run(),
				(i) -> lives.get(i).scope.cancel(CancellationReason.DEADLINE_EXCEEDED));
		List<String> broken = new ArrayList<>();
		int[] unreached = new int[2];
		int[] aborted = new int[2];
		for (int i = 0; i < ROUNDS; i++) {
			Life life = lives.get(i);
			String fault = life.fault();
			if (fault != null && broken.size() < 10) {
				broken.add(i + ": " + fault);
			}
			unreached[i % 2] += life.unreached ? 1 : 0;
			aborted[i % 2] += life.exitSaidAborted ? 1 : 0;
			life.scope.close();
		}
		assertThat(broken).as("rounds that broke the region's contract").isEmpty();
		// the race is real only if each outcome happened, in the slot and in the list
		for (int path = 0; path < 2; path++) {
			assertThat(unreached[path]).as("rounds left before the cancel, " + ((path == 0) ? "slot" : "list"))
				.isPositive();
			assertThat(aborted[path]).as("rounds aborted while running, " + ((path == 0) ? "slot" : "list"))
				.isPositive();
		}
	}

	/**
	 * The cancel either takes the listener and tells it, or the registration sees the cancellation,
	 * takes the listener back and tells it itself: either way it is told exactly once. In even rounds
	 * the listener has the scope's slot, in odd ones the slot is taken and it goes to the list.
	 */
	@Test
	void aListenerRegisteringWhileItsScopeIsCancelledIsToldExactlyOnce() throws Exception {
		List<DefaultScope> scopes = new ArrayList<>(ROUNDS);
		List<AtomicInteger> told = new ArrayList<>(ROUNDS);
		for (int i = 0; i < ROUNDS; i++) {
			DefaultScope scope = (DefaultScope) this.root.scope().openChild();
			if (i % 2 == 1) {
				scope.onCancel((cancellation) -> {
				});
			}
			scopes.add(scope);
			told.add(new AtomicInteger());
		}
		Lockstep.race(ROUNDS, 64, (i) -> scopes.get(i).onCancel((cancellation) -> told.get(i).incrementAndGet()),
				(i) -> scopes.get(i).cancel(CancellationReason.DEADLINE_EXCEEDED));
		List<String> wrong = new ArrayList<>();
		for (int i = 0; i < ROUNDS; i++) {
			if (told.get(i).get() != 1 && wrong.size() < 10) {
				wrong.add(i + ": told " + told.get(i).get() + " times");
			}
			scopes.get(i).close();
		}
		assertThat(wrong).as("rounds whose listener was not told exactly once").isEmpty();
	}

	private static final class Life implements Runnable {

		final DefaultScope scope;

		final AbortableRegion region = new AbortableRegion("test", this::abort, false, null);

		final AtomicInteger actions = new AtomicInteger();

		volatile boolean actionDone;

		volatile boolean actionSawInactive;

		boolean unreached;

		boolean exitSaidAborted;

		boolean actionDoneAtExit;

		Life(DefaultScope scope, boolean slotTaken) {
			this.scope = scope;
			if (slotTaken) {
				scope.lifecycle().register(new AbortableRegion("other", () -> {
				}, false, null));
			}
		}

		private void abort() {
			this.actionSawInactive |= !this.region.isActive();
			this.actions.incrementAndGet();
			spin();
			this.actionDone = true;
		}

		@Override
		public void run() {
			ScopeLifecycle lifecycle = this.scope.lifecycle();
			lifecycle.register(this.region);
			if (this.region.begin() == null) {
				spin();
			}
			this.unreached = lifecycle.unregister(this.region);
			this.exitSaidAborted = this.region.exit(this.unreached);
			this.actionDoneAtExit = this.actionDone;
		}

		@Nullable String fault() {
			int actions = this.actions.get();
			if (actions > 1) {
				return "the abort action ran " + actions + " times";
			}
			if (this.unreached && actions > 0) {
				return "the region left unreached, yet its abort action ran";
			}
			if (this.actionSawInactive) {
				return "the abort action ran while the region had not begun or had exited";
			}
			if (this.exitSaidAborted != (actions == 1)) {
				return "exit returned " + this.exitSaidAborted + " but the action ran " + actions + " times";
			}
			if (actions == 1 && !this.actionDoneAtExit) {
				return "exit returned while the abort action still ran";
			}
			return null;
		}

		private static void spin() {
			for (int s = ThreadLocalRandom.current().nextInt(32); s > 0; s--) {
				Thread.onSpinWait();
			}
		}

	}

}
