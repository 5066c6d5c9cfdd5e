package io.github.cancelscope.jdbc;

import java.sql.SQLException;

import io.github.cancelscope.CheckedCallable;

/**
 * Runs a connection's own methods with the thread's interrupt status held off: cleared before the
 * call, and set again after it if it was set (see {@link CancellableConnection} for why).
 */
final class Uninterrupted {

	private Uninterrupted() {
	}

	static <T, X extends SQLException> T call(CheckedCallable<T, X> call) throws X {
		if (!Thread.interrupted()) {
			return call.call();
		}
		try {
			return call.call();
		}
		finally {
			Thread.currentThread().interrupt();
		}
	}

	static <X extends SQLException> void run(Action<X> action) throws X {
		if (!Thread.interrupted()) {
			action.run();
			return;
		}
		try {
			action.run();
		}
		finally {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A connection method that returns nothing.
	 *
	 * @param <X> what it throws
	 */
	@FunctionalInterface
	interface Action<X extends SQLException> {

		void run() throws X;

	}

}
