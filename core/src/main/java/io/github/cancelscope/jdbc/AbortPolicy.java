package io.github.cancelscope.jdbc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a {@link CancellableDataSource} gives up on a cancelled statement and aborts its connection,
 * and whom it tells.
 *
 * @param abortAfterNanos how long after the first cancel the connection is aborted if the statement
 * has not returned; negative for never
 * @param listener told of each abort
 */
record AbortPolicy(long abortAfterNanos, ConnectionAbortListener listener) {

	static final Duration DEFAULT_ABORT_AFTER = Duration.ofSeconds(1);

	static final AbortPolicy DEFAULT = new AbortPolicy(DEFAULT_ABORT_AFTER.toNanos(), ConnectionAbortListener.NONE);

	/** Cancels only: never aborts. */
	static final AbortPolicy NEVER = new AbortPolicy(-1, ConnectionAbortListener.NONE);

	boolean aborts() {
		return this.abortAfterNanos >= 0;
	}

	long abortAfterMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.abortAfterNanos);
	}

}
