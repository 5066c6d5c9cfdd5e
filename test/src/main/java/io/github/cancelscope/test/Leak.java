package io.github.cancelscope.test;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Work that outlived the test that started it: a thread, a scope, a fork, a running statement or
 * call, a borrowed pool connection. Found by a {@link LeakCheck}.
 */
public final class Leak {

	private final String kind;

	private final String description;

	private final @Nullable String origin;

	private final List<String> stack;

	private Leak(String kind, String description, @Nullable String origin, List<String> stack) {
		this.kind = kind;
		this.description = description;
		this.origin = origin;
		this.stack = List.copyOf(stack);
	}

	/**
	 * Creates a leak.
	 * @param kind what leaked, one word: {@code thread}, {@code scope}, {@code connection}, ...
	 * @param description what the report says about it, in one line
	 * @return the leak, with no origin and no stack
	 */
	public static Leak of(String kind, String description) {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(description, "description");
		return new Leak(kind, description, null, List.of());
	}

	/**
	 * Returns a copy that says where the leaked work was started.
	 * @param origin for example {@code "fork of scope request GET /orders (id 7)"}
	 * @return the new leak
	 */
	public Leak withOrigin(String origin) {
		return new Leak(this.kind, this.description, Objects.requireNonNull(origin, "origin"), this.stack);
	}

	/**
	 * Returns a copy with the stack of the leaked work, innermost frame first.
	 * @param stack the frames, as the JDK prints them
	 * @return the new leak
	 */
	public Leak withStack(List<String> stack) {
		return new Leak(this.kind, this.description, this.origin, stack);
	}

	/**
	 * Returns what leaked, one word: {@code thread}, {@code scope}, {@code fork}, {@code region},
	 * {@code connection}, or what a {@link LeakProbe} chose.
	 * @return the kind
	 */
	public String kind() {
		return this.kind;
	}

	/**
	 * Returns what the report says about the leak, in one line.
	 * @return the description
	 */
	public String description() {
		return this.description;
	}

	/**
	 * Returns where the leaked work was started, when that is known.
	 * @return the origin, or {@code null}
	 */
	public @Nullable String origin() {
		return this.origin;
	}

	/**
	 * Returns the stack of the leaked work, innermost frame first, empty when there is none.
	 * @return the frames
	 */
	public List<String> stack() {
		return this.stack;
	}

	@Override
	public String toString() {
		return this.kind + ": " + this.description + ((this.origin != null) ? " (" + this.origin + ")" : "");
	}

}
