package io.github.cancelscope;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Two threads racing one step each, round after round in lockstep: the tests that race a region
 * against a cancel of its scope.
 */
final class Lockstep {

	private Lockstep() {
	}

	/**
	 * Runs {@code rounds} rounds: in each, {@code first} runs on a thread of its own and, after a
	 * head start of up to {@code maxHeadStart} spins, {@code second} on the calling thread, so that
	 * {@code second} lands at each step of {@code first}. A round starts once both steps of the one
	 * before have returned.
	 */
	static void race(int rounds, int maxHeadStart, IntConsumer first, IntConsumer second) {
		AtomicInteger started = new AtomicInteger(-1);
		AtomicInteger done = new AtomicInteger(-1);
		Thread racer = TestThreads.start(() -> {
			for (int i = 0; i < rounds; i++) {
				while (started.get() < i) {
					Thread.onSpinWait();
				}
				first.accept(i);
				done.set(i);
			}
		});
		for (int i = 0; i < rounds; i++) {
			while (done.get() < i - 1) {
				Thread.onSpinWait();
			}
			started.set(i);
			for (int s = ThreadLocalRandom.current().nextInt(maxHeadStart); s > 0; s--) {
				Thread.onSpinWait();
			}
			second.accept(i);
		}
		Await.join(racer, "the racing thread ended");
	}

}
