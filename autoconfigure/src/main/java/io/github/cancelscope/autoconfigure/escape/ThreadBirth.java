package io.github.cancelscope.autoconfigure.escape;

import java.util.List;

/**
 * A thread that code of a watched unit of work created, as seen on the creating thread while the
 * new thread was being constructed.
 *
 * @param unit the unit of work that was current on the creating thread
 * @param likelyId the id the new thread most likely has (see {@link ThreadIds})
 * @param virtual whether the new thread is a virtual thread
 * @param creator the name of the creating thread
 * @param startedFrom the creating thread's stack, from the code that created the thread outwards
 */
record ThreadBirth(WatchedUnit unit, long likelyId, boolean virtual, String creator, List<String> startedFrom) {
}
