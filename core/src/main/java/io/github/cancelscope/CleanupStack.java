package io.github.cancelscope;

import java.util.ArrayDeque;

import org.jspecify.annotations.Nullable;

/**
 * The cleanups of one scope, last registered first. Guarded by the scope's lock; the cleanups
 * themselves run outside it.
 */
final class CleanupStack {

	private final ArrayDeque<AutoCloseable> cleanups = new ArrayDeque<>(4);

	void push(AutoCloseable cleanup) {
		this.cleanups.push(cleanup);
	}

	@Nullable AutoCloseable pop() {
		return this.cleanups.poll();
	}

	/**
	 * Runs one cleanup and returns the failure so far: the first, with later ones suppressed,
	 * checked ones wrapped.
	 */
	static @Nullable Throwable run(AutoCloseable cleanup, @Nullable Throwable failure, String scopeId) {
		try {
			cleanup.close();
			return failure;
		}
		catch (Throwable ex) {
			if (failure == null) {
				return (ex instanceof RuntimeException || ex instanceof Error) ? ex : new ScopeCleanupException(scopeId, ex);
			}
			failure.addSuppressed(ex);
			return failure;
		}
	}

	/**
	 * Throws what {@link #run} collected, if anything.
	 */
	static void rethrow(@Nullable Throwable failure) {
		if (failure instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (failure instanceof Error error) {
			throw error;
		}
	}

}
