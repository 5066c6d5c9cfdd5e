package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a scope and its descendants are doing at one moment, for diagnostics. Taken with
 * {@link CancellableScope#snapshot()}; it holds no reference to the scope.
 *
 * @param id the scope's {@linkplain RequestScope#id() id}
 * @param age time since the scope opened
 * @param deadline the scope's deadline, or {@code null} if it has none
 * @param remaining time left until the deadline, or {@code null} if it has none
 * @param cancellationReason why the scope was cancelled, or {@code null} if it has not been
 * @param forks the forked tasks still running
 * @param regions abortable regions running now, by kind (JDBC statements, HTTP calls, ...)
 * @param children the child scopes still open
 */
public record ScopeSnapshot(String id, Duration age, @Nullable Instant deadline, @Nullable Duration remaining,
		@Nullable CancellationReason cancellationReason, List<ForkSnapshot> forks, Map<String, Integer> regions,
		List<ScopeSnapshot> children) {

	/**
	 * A forked task still running.
	 *
	 * @param thread the name of its thread
	 * @param threadState the state of its thread
	 * @param regions abortable regions running on its thread now, by kind
	 */
	public record ForkSnapshot(String thread, Thread.State threadState, Map<String, Integer> regions) {
	}

}
