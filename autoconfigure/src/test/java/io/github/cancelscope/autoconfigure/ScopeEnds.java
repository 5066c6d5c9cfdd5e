package io.github.cancelscope.autoconfigure;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.cancelscope.RequestScope;

/**
 * The request scopes of a test application, by an id each request names itself with: their
 * deadlines, and how they ended (the reason of the scope's cancellation, or {@code NONE}).
 */
public final class ScopeEnds {

	private static final Map<String, CompletableFuture<String>> ends = new ConcurrentHashMap<>();

	private static final Map<String, Instant> deadlines = new ConcurrentHashMap<>();

	private ScopeEnds() {
	}

	/**
	 * Records the current scope's deadline, if it has one, and, when it ends, how it ended, under
	 * {@code id}.
	 */
	public static void track(String id) {
		RequestScope scope = RequestScope.current();
		scope.deadline().ifPresent((deadline) -> deadlines.put(id, deadline));
		CompletableFuture<String> end = ends.computeIfAbsent(id, (key) -> new CompletableFuture<>());
		scope.defer(() -> end.complete(scope.cancellation().map((c) -> c.reason().name()).orElse("NONE")));
	}

	/**
	 * Returns the deadline of the scope tracked under {@code id}.
	 */
	public static Instant deadline(String id) {
		Instant deadline = deadlines.get(id);
		if (deadline == null) {
			throw new AssertionError("request " + id + " had no deadline");
		}
		return deadline;
	}

	/**
	 * Waits for the scope tracked under {@code id} to end.
	 * @return the reason of its cancellation, or {@code NONE}
	 */
	public static String awaitEnd(String id) throws InterruptedException, ExecutionException {
		try {
			return ends.computeIfAbsent(id, (key) -> new CompletableFuture<>()).get(20, TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			throw new AssertionError("the scope of request " + id + " did not end within 20 s");
		}
	}

}
