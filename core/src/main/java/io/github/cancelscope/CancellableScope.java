package io.github.cancelscope;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The owner's handle to a scope: it can bind, cancel and close the scope. Code that creates a
 * scope keeps this handle and hands out only its {@link #view() view}.
 * {@snippet :
 * try (CancellableScope scope = parent.openChild(Duration.ofSeconds(2))) {
 *     return scope.call(() -> service.work());   // RequestScope.current() is the child here
 * }
 * }
 * <p>
 * Closing a scope cancels it with {@link CancellationReason#CANCELLED} if forked tasks or child
 * scopes are still running, waits for every forked task to finish (at most
 * {@link ScopeSettings#closeTimeout()}, after which the stragglers are logged with their stack
 * traces), then runs the cleanups. Closing is idempotent.
 */
public interface CancellableScope extends AutoCloseable {

	/**
	 * Creates a root scope: no parent, no deadline. An application has one; request scopes are its
	 * children.
	 * @param settings clock, close timeout and context propagation for this scope and its descendants
	 * @return the new scope
	 */
	static CancellableScope root(ScopeSettings settings) {
		return DefaultScope.root(settings);
	}

	/**
	 * Returns the read-only view of this scope, which application code sees.
	 * @return the view
	 */
	RequestScope view();

	/**
	 * Opens a child scope. The child is cancelled when this scope is, with the same reason and cause.
	 * @param timeout the child's own timeout, counted from now, or {@code null} for none; the
	 * child's deadline is the earlier of it and this scope's deadline
	 * @return the child's handle, owned by the caller
	 * @throws IllegalStateException if this scope has ended
	 */
	CancellableScope openChild(@Nullable Duration timeout);

	/**
	 * Cancels this scope with the given reason. Idempotent.
	 * @param reason why
	 * @return {@code true} if this call cancelled the scope, {@code false} if it was already cancelled
	 */
	default boolean cancel(CancellationReason reason) {
		return cancel(reason, null);
	}

	/**
	 * Cancels this scope with the given reason and cause. Idempotent: only the first call counts.
	 * @param reason why
	 * @param cause the failure that led to it, or {@code null}
	 * @return {@code true} if this call cancelled the scope, {@code false} if it was already cancelled
	 */
	boolean cancel(CancellationReason reason, @Nullable Throwable cause);

	/**
	 * Runs {@code op} on the calling thread with this scope as {@link RequestScope#current()}.
	 * @param <R> the type of the result
	 * @param <X> the type of exception {@code op} throws
	 * @param op the work
	 * @return what {@code op} returns
	 * @throws X what {@code op} throws
	 */
	<R, X extends Throwable> R call(ScopedValue.CallableOp<? extends R, X> op) throws X;

	/**
	 * Returns why this scope was cancelled.
	 * @return the reason, or empty if it has not been cancelled
	 */
	default Optional<CancellationReason> cancellationReason() {
		return view().cancellationReason();
	}

	/**
	 * Returns what this scope and its descendants are doing now: forked tasks with their threads,
	 * abortable regions running, child scopes. For diagnostics: it takes the scope's lock briefly
	 * and walks the tree.
	 * @return the snapshot
	 */
	default ScopeSnapshot snapshot() {
		RequestScope view = view();
		return new ScopeSnapshot(view.id(), Duration.ZERO, view.deadline().orElse(null),
				view.remaining().orElse(null), view.cancellationReason().orElse(null), List.of(),
				Map.of(), List.of());
	}

	/**
	 * Ends this scope: cancels what is left, waits for forked tasks (until their threads have
	 * terminated), runs cleanups. On the thread that opened the scope, the interrupt status is then
	 * what it was when the scope was opened, unless the thread is a forked task whose own scope was
	 * cancelled, the thread runs in an {@linkplain RequestScope#interruptible interruptible} region
	 * that was interrupted, or the thread was interrupted while this method waited.
	 * @throws RuntimeException the first cleanup failure, with the others suppressed; a checked
	 * one is wrapped in a {@link ScopeCleanupException}
	 */
	@Override
	void close();

}
