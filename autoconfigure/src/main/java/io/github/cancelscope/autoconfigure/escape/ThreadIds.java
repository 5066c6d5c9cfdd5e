package io.github.cancelscope.autoconfigure.escape;

/**
 * Learns the id of a thread under construction, from inside its construction, where the JDK does
 * not hand out the thread: a probe thread, constructed (never started) at that moment, takes the
 * next id from the same counter. On Java 19 and later the new thread took its id just before its
 * inherited thread locals were copied, so it most likely has the probe's id minus one; on Java 17
 * and 18 it takes its id just after, so most likely the probe's plus one. "Most likely": a thread
 * constructed on another thread in the same fraction of a microsecond takes an id in between, and
 * then the new thread is not found (or, if that other thread is still alive, it is taken for it).
 */
final class ThreadIds {

	private static final int DIRECTION = (Runtime.version().feature() >= 19) ? -1 : 1;

	private ThreadIds() {
	}

	/**
	 * Takes the next thread id.
	 */
	@SuppressWarnings("deprecation") // threadId() is Java 19+
	static long probe() {
		// no inherited thread locals: it must not come back here
		return new Thread(null, null, "cancelscope-id-probe", 0, false).getId();
	}

	/**
	 * Returns the id that the thread being constructed on this thread most likely has.
	 * @param probe what {@link #probe()} returned during its construction
	 */
	static long likelyIdOfConstructed(long probe) {
		return probe + DIRECTION;
	}

}
