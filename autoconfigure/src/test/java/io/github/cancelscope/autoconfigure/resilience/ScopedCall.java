package io.github.cancelscope.autoconfigure.resilience;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CheckedCallable;
import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * A call made in a scope on a platform thread of its own, as a request thread makes it.
 */
final class ScopedCall {

	/** Far less than the 30 s a test's back-off or permit wait lasts unless cancelled. */
	static final Duration PATIENCE = Duration.ofSeconds(10);

	private final CompletableFuture<Object> result = new CompletableFuture<>();

	private final Thread thread;

	private volatile boolean interruptedAfter;

	private ScopedCall(CancellableScope scope, CheckedCallable<?, ?> call, String name) {
		this.thread = new Thread(() -> {
			try {
				this.result.complete(scope.call(call));
			}
			catch (Throwable failure) {
				this.result.completeExceptionally(failure);
			}
			finally {
				this.interruptedAfter = Thread.currentThread().isInterrupted();
			}
		}, name);
		this.thread.setDaemon(true);
	}

	static ScopedCall start(CancellableScope scope, CheckedCallable<?, ?> call, String name) {
		ScopedCall started = new ScopedCall(scope, call, name);
		started.thread.start();
		return started;
	}

	/** Waits until the thread is parked or sleeping: {@code WAITING} or {@code TIMED_WAITING}. */
	ScopedCall awaitState(Thread.State state) {
		await(this.thread.getName() + " " + state).atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> this.thread.getState() == state);
		return this;
	}

	Thread.State state() {
		return this.thread.getState();
	}

	boolean isDone() {
		return this.result.isDone();
	}

	/** Waits for the call to end and returns what it threw, or fails if it returned. */
	Throwable awaitFailure() throws InterruptedException {
		try {
			Object value = this.result.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
			throw new AssertionError(this.thread.getName() + " returned " + value);
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
		catch (CancellationException ex) {
			// a ScopeCancelledException is one: the future throws a new one, caused by it
			return (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (TimeoutException ex) {
			throw new AssertionError(this.thread.getName() + " did not end within " + PATIENCE);
		}
	}

	/** Waits for the call to end and returns what it threw, or {@code null} if it returned. */
	@Nullable Throwable awaitOutcome() throws InterruptedException {
		try {
			this.result.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
			return null;
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
		catch (CancellationException ex) {
			return (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (TimeoutException ex) {
			throw new AssertionError(this.thread.getName() + " did not end within " + PATIENCE);
		}
	}

	/** Waits for the call to end and returns its result, or fails if it threw. */
	Object awaitResult() throws Exception {
		try {
			return this.result.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			throw new AssertionError(this.thread.getName() + " did not end within " + PATIENCE);
		}
	}

	/** Whether the thread's interrupt status was set when the call had ended. */
	boolean interruptedAfter() throws InterruptedException {
		this.thread.join(PATIENCE.toMillis());
		return this.interruptedAfter;
	}

}
