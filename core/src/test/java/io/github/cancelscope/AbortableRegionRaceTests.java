package io.github.cancelscope;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A region begins and exits with one compare-and-set each, and an abort moves it holding its
 * monitor ({@link AbortableRegion}): this test races the abort against every step of a region's life,
 * round after round in lockstep, as a cancel racing a statement that starts and ends does.
 */
class AbortableRegionRaceTests {

	private static final int ROUNDS = 50_000;

	private static final Cancellation CANCELLED = Cancellation.of(CancellationReason.DEADLINE_EXCEEDED, null);

	/**
	 * Every round: the abort action ran at most once; never before the region began nor after
	 * {@code exit()} returned; {@code exit()} returned whether it ran, after it had finished; and a
	 * region that did not begin was refused with the cancellation.
	 */
	@Test
	void anAbortRacingARegionRunsOnlyWhileTheRegionRunsAndExitWaitsForIt() throws Exception {
		List<Round> rounds = new ArrayList<>(ROUNDS);
		for (int i = 0; i < ROUNDS; i++) {
			rounds.add(new Round());
		}
		// the abort lands at each step of the region's life
		Lockstep.race(ROUNDS, 96, (i) -> rounds.get(i).run(), (i) -> rounds.get(i).region.abort(CANCELLED));
		List<String> broken = new ArrayList<>();
		int aborted = 0;
		int refused = 0;
		for (int i = 0; i < ROUNDS; i++) {
			String fault = rounds.get(i).fault();
			if (fault != null && broken.size() < 10) {
				broken.add(i + ": " + fault);
			}
			aborted += rounds.get(i).exitSaidAborted ? 1 : 0;
			refused += (rounds.get(i).refusedWith != null) ? 1 : 0;
		}
		assertThat(broken).as("rounds that broke the region's contract").isEmpty();
		// the race is real only if each outcome happened
		assertThat(aborted).as("rounds aborted while running").isPositive();
		assertThat(refused).as("rounds refused before they began").isPositive();
		assertThat(aborted + refused).as("rounds whose abort came after exit()").isLessThan(ROUNDS);
	}

	private static final class Round implements Runnable {

		final AtomicInteger actions = new AtomicInteger();

		final AbortableRegion region = new AbortableRegion("test", this::abort, false, null);

		volatile boolean beginning;

		volatile boolean exited;

		volatile boolean actionDone;

		volatile boolean actionSawNotBegun;

		volatile boolean actionSawInactive;

		volatile boolean actionSawExited;

		boolean exitSaidAborted;

		boolean actionDoneAtExit;

		Cancellation refusedWith;

		private void abort() {
			this.actionSawNotBegun |= !this.beginning;
			this.actionSawInactive |= !this.region.isActive();
			this.actionSawExited |= this.exited;
			this.actions.incrementAndGet();
			for (int s = ThreadLocalRandom.current().nextInt(32); s > 0; s--) {
				Thread.onSpinWait();
			}
			this.actionDone = true;
		}

		@Override
		public void run() {
			this.beginning = true;
			Cancellation refused = this.region.begin();
			if (refused != null) {
				this.refusedWith = refused;
			}
			else {
				for (int s = ThreadLocalRandom.current().nextInt(32); s > 0; s--) {
					Thread.onSpinWait();
				}
			}
			this.exitSaidAborted = this.region.exit(false);
			this.actionDoneAtExit = this.actionDone;
			this.exited = true;
		}

		String fault() {
			int actions = this.actions.get();
			if (actions > 1) {
				return "the abort action ran " + actions + " times";
			}
			if (this.actionSawNotBegun) {
				return "the abort action ran before the region began";
			}
			if (this.actionSawInactive) {
				return "the abort action ran while the region did not count as active";
			}
			if (this.actionSawExited) {
				return "the abort action ran after exit() returned";
			}
			if (this.exitSaidAborted != (actions == 1)) {
				return "exit() returned " + this.exitSaidAborted + " but the action ran " + actions + " times";
			}
			if (actions == 1 && !this.actionDoneAtExit) {
				return "exit() returned while the abort action still ran";
			}
			if (this.refusedWith != null && this.refusedWith != CANCELLED) {
				return "refused with " + this.refusedWith + ", not the abort's cancellation";
			}
			if (this.refusedWith != null && this.region.isActive()) {
				return "a refused region counts as active";
			}
			return null;
		}

	}

}
