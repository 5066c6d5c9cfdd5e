package io.github.cancelscope.autoconfigure.jdbc;

import java.time.Duration;

import io.github.cancelscope.jdbc.ConnectionAbortListener;

/**
 * When the decorated data sources abort the connection of a cancelled statement that does not
 * return, whom they tell, and whether the driver's query timeout backs them up.
 *
 * @param abortAfter how long after the cancel
 * @param driverQueryTimeout whether statements also get the driver's query timeout
 * @param listener told of each abort
 */
record JdbcEscalation(Duration abortAfter, boolean driverQueryTimeout, ConnectionAbortListener listener) {

	JdbcEscalation {
		if (abortAfter.isNegative() || abortAfter.isZero()) {
			throw new IllegalArgumentException(
					"cancelscope.jdbc.abort-after must be positive, was " + abortAfter + "; set it to, for example, 1s");
		}
	}

}
