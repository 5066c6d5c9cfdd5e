package io.github.cancelscope.autoconfigure.web.client;

import java.io.IOException;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.jspecify.annotations.Nullable;

/**
 * One outbound HTTP exchange made in a scope, from sending the request to closing the response.
 * Its blocking steps run in {@linkplain RequestScope#abortable abortable regions}: a cancellation
 * of the scope aborts the step that is running.
 * <p>
 * The abort cancels the exchange's connection if the request factory {@linkplain #attach attached}
 * one (Apache HttpComponents), and otherwise interrupts the thread inside the region (the JDK
 * {@code HttpClient} aborts the exchange when interrupted). Such an interrupt is cleared before the
 * region ends, so none survives into the caller's code.
 */
final class ScopedExchange {

	/** The exchange whose request the current thread is executing. */
	static final ScopedValue<ScopedExchange> CURRENT = ScopedValue.newInstance();

	private final RequestScope scope;

	// guarded by this
	private @Nullable Cancellable connection;

	private boolean aborted;

	private @Nullable Thread regionThread;

	private boolean interrupted;

	ScopedExchange(RequestScope scope) {
		this.scope = scope;
	}

	RequestScope scope() {
		return this.scope;
	}

	/**
	 * Runs a blocking step of this exchange so that a cancellation of the scope aborts it.
	 * @param step the step
	 * @return what the step returns
	 * @throws ScopeCancelledException if the scope was cancelled before the step started, or the
	 * step failed because the cancellation aborted it (its own failure is suppressed)
	 * @throws IOException if the step failed for another reason
	 */
	<T> T run(ScopedValue.CallableOp<? extends T, IOException> step) throws IOException {
		return this.scope.abortable("http", this::abort, () -> {
			boolean wasInterrupted = enter();
			try {
				return step.call();
			}
			catch (IOException | RuntimeException ex) {
				if (isAborted()) {
					throw cancelled(ex);
				}
				throw ex;
			}
			finally {
				exit(wasInterrupted);
			}
		});
	}

	/**
	 * Runs the closing step of an exchange whose scope is cancelled: aborts the exchange first, so
	 * that closing does not wait for a response that nobody will read.
	 * @param close the closing step, which must not throw
	 */
	void closeAborted(Runnable close) {
		Cancellable connection;
		synchronized (this) {
			this.aborted = true;
			connection = this.connection;
		}
		if (connection != null) {
			connection.cancel();
			close.run();
			return;
		}
		boolean wasInterrupted = Thread.currentThread().isInterrupted();
		Thread.currentThread().interrupt();
		try {
			close.run();
		}
		finally {
			if (!wasInterrupted) {
				Thread.interrupted();
			}
		}
	}

	/**
	 * Gives this exchange the means to cancel its connection. Called by a request factory's
	 * integration on the thread that executes the request.
	 * @param connection cancels the exchange's connection; must be quick and must not throw
	 */
	void attach(Cancellable connection) {
		boolean cancel;
		synchronized (this) {
			this.connection = connection;
			cancel = this.aborted;
		}
		if (cancel) {
			connection.cancel();
		}
	}

	private synchronized boolean enter() {
		if (this.aborted) {
			throw cancelled(null);
		}
		this.regionThread = Thread.currentThread();
		return this.regionThread.isInterrupted();
	}

	private synchronized void exit(boolean wasInterrupted) {
		this.regionThread = null;
		if (this.interrupted) {
			this.interrupted = false;
			if (!wasInterrupted) {
				Thread.interrupted();
			}
		}
	}

	private synchronized boolean isAborted() {
		return this.aborted;
	}

	private void abort() {
		Cancellable connection;
		synchronized (this) {
			this.aborted = true;
			connection = this.connection;
			if (connection == null && this.regionThread != null) {
				// under the lock, so that exit() sees it and clears it
				this.regionThread.interrupt();
				this.interrupted = true;
			}
		}
		if (connection != null) {
			connection.cancel();
		}
	}

	private ScopeCancelledException cancelled(@Nullable Throwable failure) {
		try {
			this.scope.throwIfCancelled();
		}
		catch (ScopeCancelledException ex) {
			if (failure != null) {
				ex.addSuppressed(failure);
			}
			return ex;
		}
		// aborted only by a cancellation, so the scope is cancelled
		throw new IllegalStateException("Exchange aborted in a scope that is not cancelled", failure);
	}

	/**
	 * Cancels an exchange's connection, whatever it is doing.
	 */
	@FunctionalInterface
	interface Cancellable {

		void cancel();

	}

}
