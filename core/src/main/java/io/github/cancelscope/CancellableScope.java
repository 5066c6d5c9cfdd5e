package io.github.cancelscope;

import java.util.List;

import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.spi.ScopeSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * The owner's handle to a scope: a {@link RequestScope} that can also be made current, cancelled
 * and closed. Whoever opens a scope holds this handle; code that runs in the scope sees it through
 * {@link RequestScope#current()}, typed as the view.
 * {@snippet :
 * try (CancellableScope scope = parent.openChild(Duration.ofSeconds(2))) {
 *     return scope.call(() -> service.work());   // RequestScope.current() is the child here
 * }
 * }
 *
 * <h2>Closing</h2>
 * Closing a scope cancels it with {@link CancellationReason#CANCELLED} if forked tasks or child
 * scopes are still running, waits for every forked task to finish (at most
 * {@link ScopeSettings#closeTimeout()}, after which the stragglers are logged with their stack
 * traces), then runs the cleanups. Closing is idempotent.
 *
 * <h2>Interrupts</h2>
 * A cancellation interrupts a thread only where an interrupt is expected:
 * <ul>
 * <li>A forked task's thread is interrupted when its scope is cancelled, except inside an
 * {@linkplain RequestScope#abortable abortable} region, where the region's abort runs instead and
 * the interrupt follows when the thread leaves its last region.</li>
 * <li>Any other thread, such as a servlet container's request thread, is interrupted only inside an
 * {@linkplain RequestScope#interruptible interruptible} region, and that interrupt is cleared when
 * the region exits.</li>
 * <li>When {@link #close()} returns on the thread that opened the scope, its interrupt status is
 * what it was when the scope opened, unless the thread is a forked task that was stopped, runs in an
 * interruptible region that interrupted it, or was interrupted from outside while close waited.</li>
 * </ul>
 */
public interface CancellableScope extends RequestScope, AutoCloseable {

	/**
	 * Creates a root scope: no parent, no deadline, kind {@value ScopeOptions#APPLICATION}. An
	 * application has one; request scopes are its children.
	 * @param settings clock, close timeout, context propagation and observer for this scope and its
	 * descendants
	 * @return the new scope
	 */
	static CancellableScope root(ScopeSettings settings) {
		return DefaultScope.root(settings);
	}

	/**
	 * Cancels this scope with the given reason. Idempotent.
	 * @param reason why
	 * @return {@code true} if this call cancelled the scope, {@code false} if it was already
	 * cancelled or has ended
	 */
	default boolean cancel(CancellationReason reason) {
		return cancel(reason, null);
	}

	/**
	 * Cancels this scope with the given reason and cause. Idempotent: only the first call counts.
	 * @param reason why
	 * @param cause the failure that led to it, or {@code null}
	 * @return {@code true} if this call cancelled the scope, {@code false} if it was already
	 * cancelled or has ended
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
	<R, X extends Throwable> R call(CheckedCallable<? extends R, X> op) throws X;

	/**
	 * Returns what this scope and its descendants are doing now: forked tasks with their threads,
	 * abortable regions running, child scopes. For diagnostics: it takes the scope's lock briefly
	 * and walks the tree.
	 * @return the snapshot
	 */
	ScopeSnapshot snapshot();

	/**
	 * Returns the child scopes open now, for whoever oversees this scope's work: an application
	 * scope's are the requests and jobs in flight. A child may be cancelled through its handle; only
	 * the child's own owner closes it.
	 * @return the children open at the moment of the call, in no particular order
	 */
	List<CancellableScope> children();

	/**
	 * Ends this scope: cancels what is left, waits for forked tasks (until their threads have
	 * terminated), runs cleanups. See the class guide for the interrupt status afterwards.
	 * @throws RuntimeException the first cleanup failure, with the others suppressed; a checked
	 * one is wrapped in a {@link ScopeCleanupException}
	 */
	@Override
	void close();

}
