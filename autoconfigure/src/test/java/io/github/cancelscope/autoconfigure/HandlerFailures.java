package io.github.cancelscope.autoconfigure;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cancelscope.ScopeCancelledException;
import org.jspecify.annotations.Nullable;

/**
 * What the calls of a test application's handlers failed with, by an id each request names itself
 * with: the reason of the scope's cancellation found in the failure's cause chain, or the failure's
 * class name.
 */
public final class HandlerFailures {

	private static final Map<String, String> failures = new ConcurrentHashMap<>();

	private HandlerFailures() {
	}

	/**
	 * Runs {@code call}, noting under {@code id} what it failed with, and rethrows the failure.
	 */
	public static <T> T record(String id, Callable<T> call) {
		try {
			return call.call();
		}
		catch (Exception ex) {
			ScopeCancelledException cancelled = ScopeCancelledException.findIn(ex);
			failures.put(id, (cancelled != null) ? cancelled.reason().name() : ex.getClass().getName());
			throw (ex instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
	}

	/**
	 * Returns what the call noted under {@code id} failed with, or {@code null} if it did not fail.
	 */
	public static @Nullable String of(String id) {
		return failures.get(id);
	}

}
