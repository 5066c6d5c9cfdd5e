package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.cancelscope.spi.ScopeSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * Builds the {@link ScopeSnapshot} of a scope from what the scope copied under its lock.
 */
final class Snapshots {

	private Snapshots() {
	}

	/**
	 * Returns the snapshot of a scope. Regions are asked outside the scope's lock: a region's abort
	 * may call into the scope.
	 */
	static ScopeSnapshot of(DefaultScope scope, Duration age, @Nullable Cancellation cancellation,
			List<Fork<?>> forks, List<AbortableRegion> regions, List<ScopeSnapshot> children) {
		List<AbortableRegion> active = regions.stream().filter(AbortableRegion::isActive).toList();
		List<ScopeSnapshot.ForkSnapshot> forkSnapshots = new ArrayList<>(forks.size());
		for (Fork<?> fork : forks) {
			Thread thread = fork.thread();
			if (thread == null) {
				forkSnapshots.add(new ForkState(fork.threadName(), Thread.State.NEW, Map.of()));
				continue;
			}
			forkSnapshots.add(new ForkState(thread.getName(), thread.getState(),
					countByKind(active.stream().filter((region) -> region.thread() == thread).toList())));
		}
		return new State(scope.id(), scope.kind(), scope.name(), scope.description(), age,
				scope.deadline().orElse(null), scope.remaining().orElse(null),
				(cancellation != null) ? cancellation.reason() : null, List.copyOf(forkSnapshots),
				countByKind(active), List.copyOf(children));
	}

	private static Map<String, Integer> countByKind(List<AbortableRegion> regions) {
		if (regions.isEmpty()) {
			return Map.of();
		}
		Map<String, Integer> counts = new HashMap<>();
		for (AbortableRegion region : regions) {
			counts.merge(region.kind(), 1, Integer::sum);
		}
		return Map.copyOf(counts);
	}

	private record State(String id, String kind, String name, String description, Duration age,
			@Nullable Instant deadline, @Nullable Duration remaining, @Nullable CancellationReason cancellationReason,
			List<ForkSnapshot> forks, Map<String, Integer> regions, List<ScopeSnapshot> children)
			implements ScopeSnapshot {
	}

	private record ForkState(String thread, Thread.State threadState, Map<String, Integer> regions)
			implements ScopeSnapshot.ForkSnapshot {
	}

}
