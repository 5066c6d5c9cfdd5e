package io.github.cancelscope.autoconfigure;

import java.util.concurrent.Callable;

import io.github.cancelscope.spi.ContextCapture;
import io.micrometer.context.ContextSnapshotFactory;

/**
 * Carries every {@code ThreadLocalAccessor} known to Micrometer's context-propagation (tracing,
 * MDC, observations) from the forking thread to a forked task.
 */
final class MicrometerContextCapture implements ContextCapture {

	private final ContextSnapshotFactory snapshots;

	MicrometerContextCapture(ContextSnapshotFactory snapshots) {
		this.snapshots = snapshots;
	}

	@Override
	public <T> Callable<T> capture(Callable<T> task) {
		return this.snapshots.captureAll().wrap(task);
	}

}
