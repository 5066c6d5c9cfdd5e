package io.github.cancelscope;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The open children of a scope, in a concurrent set rather than under the scope's lock: every
 * request's scope is a child of the one application scope, whose lock all request threads would
 * otherwise take twice per request. {@link ScopeLifecycle#adopt} orders the add against a concurrent
 * cancel or close the way a lock would: each writes first and reads the other's write second.
 */
final class ChildScopes {

	private final Set<DefaultScope> scopes = ConcurrentHashMap.newKeySet();

	void add(DefaultScope child) {
		this.scopes.add(child);
	}

	void remove(DefaultScope child) {
		this.scopes.remove(child);
	}

	boolean isEmpty() {
		return this.scopes.isEmpty();
	}

	static List<DefaultScope> copy(@Nullable ChildScopes children) {
		return (children != null) ? List.copyOf(children.scopes) : List.of();
	}

}
