package io.github.cancelscope;

import java.util.ArrayList;
import java.util.List;

import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scope's first running region registers without the scope's lock ({@link Regions}): this test
 * races each registration against a cancel of its scope, round after round in lockstep, as a
 * statement starting while its request times out does.
 */
class RegionsRaceTests {

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

}
