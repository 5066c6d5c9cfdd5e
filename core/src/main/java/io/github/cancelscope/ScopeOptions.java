package io.github.cancelscope;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * What a scope is, given when it is {@linkplain RequestScope#openChild(ScopeOptions) opened}: its
 * kind, its name, a description and its own timeout. Observers, logs, metrics and the actuator read
 * them from the scope; nothing infers them later.
 * {@snippet :
 * try (CancellableScope quote = scope.openChild(ScopeOptions.of(ScopeOptions.METHOD, "Pricing.quote")
 *         .withTimeout(Duration.ofMillis(300)))) {
 *     return quote.call(() -> pricing.quote(item));
 * }
 * }
 * <ul>
 * <li>The <em>kind</em> says what opened the scope, as a short lower-case word: one of the constants
 * of this class, or an integration's own ({@code "grpc"}, {@code "kafka"}). It becomes a metric tag.</li>
 * <li>The <em>name</em> has bounded cardinality, fit for a metric tag or an observation name: a
 * method as {@code Type.method}, a runner's class. It defaults to the kind.</li>
 * <li>The <em>description</em> is for people: logs and the actuator ({@code GET /orders/42}). It
 * defaults to the name.</li>
 * </ul>
 * Instances are immutable; each {@code with…} method returns a new one.
 */
public final class ScopeOptions {

	/** Kind of the application scope, the root of every other. */
	public static final String APPLICATION = "application";

	/** Kind of an HTTP request's scope. */
	public static final String REQUEST = "request";

	/** Kind of start-up work, such as an {@code ApplicationRunner}. */
	public static final String STARTUP = "startup";

	/** Kind of a call of a {@link Scoped @Scoped} method. */
	public static final String METHOD = "method";

	/** Kind of the child scope in which {@link RequestScope#all} and {@link RequestScope#race} run their tasks. */
	public static final String GROUP = "group";

	/** Kind of any other child scope. */
	public static final String CHILD = "child";

	private static final ScopeOptions CHILD_OPTIONS = new ScopeOptions(CHILD, CHILD, null, null);

	private final String kind;

	private final String name;

	private final @Nullable String description;

	private final @Nullable Duration timeout;

	private ScopeOptions(String kind, String name, @Nullable String description, @Nullable Duration timeout) {
		this.kind = kind;
		this.name = name;
		this.description = description;
		this.timeout = timeout;
	}

	/**
	 * Returns the options of a plain child scope: kind and name {@value #CHILD}, no timeout.
	 * @return the options
	 */
	public static ScopeOptions child() {
		return CHILD_OPTIONS;
	}

	/**
	 * Returns options of the given kind, named after it, without a timeout.
	 * @param kind what opens the scope, a short lower-case word
	 * @return the options
	 * @throws IllegalArgumentException if {@code kind} is blank
	 */
	public static ScopeOptions of(String kind) {
		return of(kind, kind);
	}

	/**
	 * Returns options of the given kind and name, without a timeout.
	 * @param kind what opens the scope, a short lower-case word
	 * @param name a name of bounded cardinality
	 * @return the options
	 * @throws IllegalArgumentException if {@code kind} or {@code name} is blank
	 */
	public static ScopeOptions of(String kind, String name) {
		return new ScopeOptions(requireText(kind, "kind"), requireText(name, "name"), null, null);
	}

	/**
	 * Returns a copy with another name.
	 * @param name a name of bounded cardinality
	 * @return the new options
	 */
	public ScopeOptions withName(String name) {
		return new ScopeOptions(this.kind, requireText(name, "name"), this.description, this.timeout);
	}

	/**
	 * Returns a copy with a description.
	 * @param description what the scope does, for people
	 * @return the new options
	 */
	public ScopeOptions withDescription(String description) {
		return new ScopeOptions(this.kind, this.name, Objects.requireNonNull(description, "description"),
				this.timeout);
	}

	/**
	 * Returns a copy with a timeout, counted from when the scope opens. The scope's deadline is the
	 * earlier of it and its parent's. A timeout that is zero or negative makes a scope that is
	 * cancelled with {@link CancellationReason#DEADLINE_EXCEEDED} as it opens.
	 * @param timeout the timeout, or {@code null} for none of its own
	 * @return the new options
	 */
	public ScopeOptions withTimeout(@Nullable Duration timeout) {
		return new ScopeOptions(this.kind, this.name, this.description, timeout);
	}

	/**
	 * Returns the kind.
	 * @return what opens the scope
	 */
	public String kind() {
		return this.kind;
	}

	/**
	 * Returns the name.
	 * @return a name of bounded cardinality
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns the description.
	 * @return the description, the name if none was given
	 */
	public String description() {
		return (this.description != null) ? this.description : this.name;
	}

	/**
	 * Returns the scope's own timeout.
	 * @return the timeout, or empty for none
	 */
	public Optional<Duration> timeout() {
		return Optional.ofNullable(this.timeout);
	}

	@Nullable Duration timeoutOrNull() {
		return this.timeout;
	}

	private static String requireText(String value, String what) {
		Objects.requireNonNull(value, what);
		if (value.isBlank()) {
			throw new IllegalArgumentException("A scope's " + what + " must not be blank");
		}
		return value;
	}

	@Override
	public String toString() {
		return "ScopeOptions[kind=" + this.kind + ", name=" + this.name
				+ ((this.timeout != null) ? ", timeout=" + this.timeout : "") + "]";
	}

}
