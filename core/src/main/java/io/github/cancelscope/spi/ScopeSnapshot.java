package io.github.cancelscope.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.github.cancelscope.CancellationReason;
import org.jspecify.annotations.Nullable;

/**
 * What a scope and its descendants are doing at one moment, for diagnostics. Taken with
 * {@link io.github.cancelscope.CancellableScope#snapshot()}; it holds no reference to the scope.
 */
public interface ScopeSnapshot {

	/**
	 * Returns the scope's {@linkplain io.github.cancelscope.RequestScope#id() id}.
	 * @return the id
	 */
	String id();

	/**
	 * Returns the scope's kind.
	 * @return the kind
	 */
	String kind();

	/**
	 * Returns the scope's name.
	 * @return the name
	 */
	String name();

	/**
	 * Returns the scope's description.
	 * @return the description
	 */
	String description();

	/**
	 * Returns the time since the scope opened.
	 * @return the age
	 */
	Duration age();

	/**
	 * Returns the scope's deadline.
	 * @return the deadline, or {@code null} if it has none
	 */
	@Nullable Instant deadline();

	/**
	 * Returns the time left until the deadline.
	 * @return the time left, or {@code null} if the scope has no deadline
	 */
	@Nullable Duration remaining();

	/**
	 * Returns why the scope was cancelled.
	 * @return the reason, or {@code null} if it has not been
	 */
	@Nullable CancellationReason cancellationReason();

	/**
	 * Returns the forked tasks still running.
	 * @return the forks
	 */
	List<ForkSnapshot> forks();

	/**
	 * Returns the abortable regions running now, by kind (JDBC statements, HTTP calls, ...).
	 * @return the counts by kind
	 */
	Map<String, Integer> regions();

	/**
	 * Returns the child scopes still open.
	 * @return the children
	 */
	List<ScopeSnapshot> children();

	/**
	 * A forked task still running.
	 */
	interface ForkSnapshot {

		/**
		 * Returns the name of the task's thread.
		 * @return the thread's name
		 */
		String thread();

		/**
		 * Returns the state of the task's thread.
		 * @return the thread's state
		 */
		Thread.State threadState();

		/**
		 * Returns the abortable regions running on the task's thread now, by kind.
		 * @return the counts by kind
		 */
		Map<String, Integer> regions();

	}

}
