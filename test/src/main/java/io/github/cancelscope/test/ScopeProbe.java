package io.github.cancelscope.test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.spi.ScopeSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * Finds what a test left running under a root scope: child scopes still open, forks still alive,
 * regions (statements, calls) still running. What was there before the test is not counted. It
 * also remembers which thread runs a fork of which scope, so that a leaked thread can be traced to
 * the scope that forked it.
 */
final class ScopeProbe implements LeakProbe {

	private final Supplier<@Nullable CancellableScope> root;

	private final Set<String> childrenBefore;

	private final Set<String> forksBefore;

	private final Map<String, Integer> regionsBefore;

	private final Map<String, String> forkOrigins = new HashMap<>();

	ScopeProbe(Supplier<@Nullable CancellableScope> root) {
		this.root = root;
		ScopeSnapshot before = snapshot();
		this.childrenBefore = (before != null) ? before.children().stream().map(ScopeSnapshot::id).collect(Collectors.toSet())
				: Set.of();
		this.forksBefore = (before != null)
				? before.forks().stream().map(ScopeSnapshot.ForkSnapshot::thread).collect(Collectors.toSet()) : Set.of();
		this.regionsBefore = (before != null) ? before.regions() : Map.of();
	}

	@Override
	public List<Leak> leaks() {
		ScopeSnapshot root = snapshot();
		if (root == null) {
			return List.of();
		}
		remember(root);
		List<Leak> leaks = new ArrayList<>();
		for (ScopeSnapshot child : root.children()) {
			if (!this.childrenBefore.contains(child.id())) {
				leaks.add(Leak.of("scope", "scope " + name(child) + " is still open" + activity(child)));
			}
		}
		for (ScopeSnapshot.ForkSnapshot fork : root.forks()) {
			if (!this.forksBefore.contains(fork.thread())) {
				leaks.add(Leak.of("fork", "fork on thread \"" + fork.thread() + "\" (" + fork.threadState()
						+ ") of scope " + name(root) + " is still running"));
			}
		}
		root.regions().forEach((kind, count) -> {
			int more = count - this.regionsBefore.getOrDefault(kind, 0);
			if (more > 0) {
				leaks.add(Leak.of("region", more + " " + kind + " call(s) still running in scope " + name(root)));
			}
		});
		return leaks;
	}

	/**
	 * Returns the scope that forked the named thread, when the last snapshot showed it.
	 */
	@Nullable String forkOrigin(String threadName) {
		return this.forkOrigins.get(threadName);
	}

	private @Nullable ScopeSnapshot snapshot() {
		CancellableScope scope = this.root.get();
		return (scope != null) ? scope.snapshot() : null;
	}

	private void remember(ScopeSnapshot scope) {
		for (ScopeSnapshot.ForkSnapshot fork : scope.forks()) {
			this.forkOrigins.put(fork.thread(), "fork of scope " + name(scope));
		}
		scope.children().forEach(this::remember);
	}

	static String name(ScopeSnapshot scope) {
		String description = scope.description().isEmpty() ? scope.name() : scope.description();
		return scope.kind() + (description.isEmpty() ? "" : " " + description) + " (id " + scope.id() + ")";
	}

	// ", cancelled (DEADLINE_EXCEEDED), 2 fork(s) running, running: jdbc x1, 1 child scope(s) open"
	private static String activity(ScopeSnapshot scope) {
		StringBuilder activity = new StringBuilder();
		if (scope.cancellationReason() != null) {
			activity.append(", cancelled (").append(scope.cancellationReason()).append(')');
		}
		activity.append(", open for ").append(scope.age().toMillis()).append(" ms");
		int forks = countForks(scope);
		if (forks > 0) {
			activity.append(", ").append(forks).append(" fork(s) running");
		}
		Map<String, Integer> regions = new HashMap<>();
		countRegions(scope, regions);
		if (!regions.isEmpty()) {
			activity.append(", running: ");
			activity.append(regions.entrySet()
				.stream()
				.map((region) -> region.getKey() + " x" + region.getValue())
				.sorted()
				.collect(Collectors.joining(", ")));
		}
		if (!scope.children().isEmpty()) {
			activity.append(", child scope(s) open: ")
				.append(scope.children().stream().map(ScopeProbe::name).collect(Collectors.joining(", ")));
		}
		return activity.toString();
	}

	private static int countForks(ScopeSnapshot scope) {
		int forks = scope.forks().size();
		for (ScopeSnapshot child : scope.children()) {
			forks += countForks(child);
		}
		return forks;
	}

	private static void countRegions(ScopeSnapshot scope, Map<String, Integer> counts) {
		scope.regions().forEach((kind, count) -> counts.merge(kind, count, Integer::sum));
		scope.children().forEach((child) -> countRegions(child, counts));
	}

}
