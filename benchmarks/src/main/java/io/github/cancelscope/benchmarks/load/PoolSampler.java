package io.github.cancelscope.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples an instance's pool and database at a fixed rate on a thread of its own, from
 * {@link #start()} until {@link #stop()}.
 */
final class PoolSampler {

	private final PoolGauge gauge;

	private final long origin;

	private final Duration interval;

	private final List<PoolSample> samples = new ArrayList<>();

	private final ScheduledExecutorService timer = Executors
		.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("pool-sampler").factory());

	PoolSampler(PoolGauge gauge, long origin, Duration interval) {
		this.gauge = gauge;
		this.origin = origin;
		this.interval = interval;
	}

	PoolSampler start() {
		this.timer.scheduleAtFixedRate(this::sampleNow, 0, this.interval.toNanos(), TimeUnit.NANOSECONDS);
		return this;
	}

	/**
	 * Takes a sample now, recorded with the others.
	 */
	PoolSample sampleNow() {
		PoolSample sample = this.gauge.sample(System.nanoTime() - this.origin);
		synchronized (this.samples) {
			this.samples.add(sample);
		}
		return sample;
	}

	/**
	 * Stops sampling.
	 * @return every sample taken, in time order
	 */
	List<PoolSample> stop() throws InterruptedException {
		this.timer.shutdown();
		this.timer.awaitTermination(5, TimeUnit.SECONDS);
		synchronized (this.samples) {
			List<PoolSample> sorted = new ArrayList<>(this.samples);
			sorted.sort((a, b) -> Long.compare(a.time(), b.time()));
			return sorted;
		}
	}

}
