package io.github.cancelscope.benchmarks.load;

/**
 * The pool and the database at one moment; {@code -1} where a value could not be read (for example
 * after the instance exited).
 *
 * @param time nanoseconds since the phase began
 * @param active connections lent out by the pool
 * @param idle connections in the pool, unused
 * @param pending threads waiting for a connection
 * @param total connections the pool holds
 * @param queriesOnServer the sample's slow queries executing on the server
 */
record PoolSample(long time, int active, int idle, int pending, int total, int queriesOnServer) {

	/**
	 * Connections lent out plus threads waiting for one: how many want the pool.
	 */
	int occupancy() {
		return (this.active < 0) ? -1 : this.active + Math.max(0, this.pending);
	}

	boolean isDrained() {
		return this.active == 0 && this.pending == 0 && this.queriesOnServer == 0;
	}

}
