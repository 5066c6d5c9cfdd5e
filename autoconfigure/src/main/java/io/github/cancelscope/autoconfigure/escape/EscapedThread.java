package io.github.cancelscope.autoconfigure.escape;

import java.time.Instant;
import java.util.List;

/**
 * A thread that a unit of work started and that was still alive when the unit ended.
 *
 * @param threadId the thread's id
 * @param threadName the thread's name
 * @param virtual whether it is a virtual thread
 * @param state its state when it was seen (a {@link Thread.State} name)
 * @param stack its stack when it was seen, innermost frame first
 * @param scopeKind the kind of the unit of work that started it: {@code request}, {@code grpc},
 * {@code scheduled}, {@code startup}, ...
 * @param scopeId the id of that unit's scope
 * @param scopeDescription what that unit did, such as {@code GET /orders/42}
 * @param scopeEnded when that unit ended
 * @param startedOn the name of the thread that created it: the request thread or a fork's thread
 * @param startedFrom the creating thread's stack when it created the thread, innermost frame first
 */
public record EscapedThread(long threadId, String threadName, boolean virtual, String state, List<String> stack,
		String scopeKind, String scopeId, String scopeDescription, Instant scopeEnded, String startedOn,
		List<String> startedFrom) {

}
