package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

import org.jspecify.annotations.Nullable;

/**
 * What application code sees of the scope it runs in: the unit of work that is cancelled as a
 * whole when its request fails, runs past its deadline, loses its client or the application shuts
 * down.
 *
 * <h2>Getting one</h2>
 * Inside an HTTP request handled with the cancelscope starter, inside a method annotated with
 * {@link Scoped @Scoped}, and inside a task forked from a scope, {@link #current()} returns the
 * innermost scope of the calling thread. In a Spring application a bean of this type can be injected
 * into any singleton: it is {@link #forCurrentThread()}, whose calls go to the scope current on the
 * calling thread.
 *
 * <h2>Forking</h2>
 * {@snippet :
 * Subtask<User> user = scope.fork(() -> users.find(id));
 * Subtask<List<Order>> orders = scope.fork(() -> orders.recent(id));
 * return new Dashboard(user.join(), orders.join());
 * }
 * Each task runs on a new thread (a virtual thread where the JVM has them) that sees this scope as
 * current. If one fails, the scope is <em>cancelled</em> with {@link CancellationReason#SIBLING_FAILED}:
 * the other tasks are stopped, and their {@link Subtask#join() join()} throws a
 * {@link ScopeCancelledException} whose cause is the failure.
 *
 * <h2>Cancellation</h2>
 * To <em>cancel</em> a scope is to mark it cancelled with a {@link Cancellation}, exactly once, and
 * then, in this order: run its {@linkplain #onCancel cancellation listeners}, abort its running
 * {@linkplain #abortable regions}, cancel its child scopes, and stop its forked tasks. A scope whose
 * deadline has passed counts as cancelled with {@link CancellationReason#DEADLINE_EXCEEDED} as soon
 * as anyone asks ({@link #isCancelled()}, {@link #throwIfCancelled()}), even before the timer that
 * cancels it has fired. Who may interrupt which thread, and when an interrupt is cleared, is stated
 * once, in the class guide of {@link CancellableScope}.
 *
 * <h2>Ending</h2>
 * When a scope ends, normally or not, its forked tasks are awaited and its {@linkplain #defer
 * cleanups} run, last registered first, each exactly once.
 *
 * <p>
 * Instances are safe for use by any number of threads. Arguments must not be {@code null} unless
 * marked otherwise. {@link #current()} returns the scope typed as this interface: only whoever opened
 * a scope holds it as a {@link CancellableScope}, and only the owner cancels or closes it.
 */
public interface RequestScope {

	/**
	 * Returns the innermost scope of the calling thread.
	 * @return the current scope
	 * @throws IllegalStateException if the calling thread runs in no scope
	 */
	static RequestScope current() {
		return ScopeBinding.current();
	}

	/**
	 * Returns the innermost scope of the calling thread, if it runs in one.
	 * @return the current scope, or empty
	 */
	static Optional<RequestScope> find() {
		return Optional.ofNullable(ScopeBinding.currentOrNull());
	}

	/**
	 * Returns a scope that stands for whichever scope is {@link #current()} on the calling thread:
	 * each of its methods goes to that scope, and throws {@link IllegalStateException} outside any.
	 * One instance serves every thread, so it can be injected into singletons.
	 * @return the scope of the calling thread
	 */
	static RequestScope forCurrentThread() {
		return CurrentThreadScope.INSTANCE;
	}

	/**
	 * Returns an identifier of this scope, unique within the JVM, for logs and diagnostics.
	 * @return the identifier
	 */
	String id();

	/**
	 * Returns what opened this scope, as given in its {@link ScopeOptions#kind() options}.
	 * @return the kind, such as {@value ScopeOptions#REQUEST}
	 */
	String kind();

	/**
	 * Returns the name of this scope, of bounded cardinality, as given in its
	 * {@link ScopeOptions#name() options}.
	 * @return the name
	 */
	String name();

	/**
	 * Returns what this scope does, for people, as given in its {@link ScopeOptions#description()
	 * options}.
	 * @return the description
	 */
	String description();

	/**
	 * Returns whether this scope has been cancelled, or its deadline has passed.
	 * @return {@code true} once cancelled
	 */
	boolean isCancelled();

	/**
	 * Throws if this scope has been cancelled, or its deadline has passed.
	 * @throws ScopeCancelledException if it has, with its cancellation
	 */
	void throwIfCancelled();

	/**
	 * Returns why this scope was cancelled.
	 * @return the cancellation, or empty if the scope has not been cancelled
	 */
	Optional<Cancellation> cancellation();

	/**
	 * Returns the deadline of this scope: the earliest of its own and its ancestors'.
	 * @return the deadline, or empty if the scope has none
	 */
	Optional<Instant> deadline();

	/**
	 * Returns the time left until the deadline, never negative.
	 * @return the time remaining, or empty if the scope has no deadline
	 */
	Optional<Duration> remaining();

	/**
	 * Opens a child scope of this scope, owned by the caller, who must close it. The child is
	 * cancelled when this scope is, with the same cancellation. If this scope is already cancelled,
	 * so is the child.
	 * {@snippet :
	 * try (CancellableScope step = scope.openChild(ScopeOptions.of("step").withTimeout(Duration.ofMillis(300)))) {
	 *     return step.call(() -> pricing.quote(item));
	 * }
	 * }
	 * @param options the child's kind, name, description and own timeout; its deadline is the earlier
	 * of that timeout and this scope's deadline
	 * @return the child's handle
	 * @throws IllegalStateException if this scope has ended
	 */
	CancellableScope openChild(ScopeOptions options);

	/**
	 * Opens a plain child scope ({@link ScopeOptions#child()}) without a timeout of its own, as
	 * {@link #openChild(ScopeOptions)} does.
	 * @return the child's handle
	 * @throws IllegalStateException if this scope has ended
	 */
	default CancellableScope openChild() {
		return openChild(ScopeOptions.child());
	}

	/**
	 * Opens a plain child scope ({@link ScopeOptions#child()}) with its own timeout, as
	 * {@link #openChild(ScopeOptions)} does.
	 * @param timeout the child's own timeout, counted from now, or {@code null} for none
	 * @return the child's handle
	 * @throws IllegalStateException if this scope has ended
	 */
	default CancellableScope openChild(@Nullable Duration timeout) {
		return openChild(ScopeOptions.child().withTimeout(timeout));
	}

	/**
	 * Runs {@code task} on a new thread that belongs to this scope and sees it as {@link #current()}.
	 * The caller's context (tracing, MDC) goes with it where the application has configured context
	 * propagation.
	 * @param <T> the type of the result
	 * @param task the task to run
	 * @return the subtask, to {@link Subtask#join() join}
	 * @throws ScopeCancelledException if this scope is already cancelled; the task does not run
	 * @throws IllegalStateException if this scope has ended or is being closed
	 */
	<T> Subtask<T> fork(Callable<? extends T> task);

	/**
	 * Runs every task in parallel, each in its own forked thread, and returns their results in
	 * order. The first failure cancels the others and is rethrown itself once all have finished:
	 * an unchecked exception as it is, a checked one wrapped in a {@link CompletionException}.
	 * The tasks run in a child scope of kind {@value ScopeOptions#GROUP}, so a failure does not
	 * cancel this scope.
	 * @param <T> the type of the results
	 * @param tasks the tasks to run
	 * @return their results, in the order of {@code tasks}
	 * @throws ScopeCancelledException if this scope was cancelled before all tasks succeeded
	 */
	default <T> List<T> all(List<? extends Callable<? extends T>> tasks) {
		return Joins.all(this, tasks);
	}

	/**
	 * Runs every task in parallel and returns the result of the first to succeed. The others are
	 * cancelled, and have finished, cleanups included, before this method returns. If every task
	 * fails, the first failure is rethrown (unchecked as it is, checked wrapped in a
	 * {@link CompletionException}) with the others suppressed.
	 * @param <T> the type of the result
	 * @param tasks the tasks to race, at least one
	 * @return the first successful result
	 * @throws ScopeCancelledException if this scope was cancelled before any task succeeded
	 */
	default <T> T race(List<? extends Callable<? extends T>> tasks) {
		return Joins.race(this, tasks);
	}

	/**
	 * Registers a cleanup that runs when this scope ends, however it ends. Cleanups run after every
	 * forked task has finished, last registered first, each exactly once; one that throws does not
	 * stop the others. If the scope has already ended, the cleanup runs at once on the calling thread.
	 * @param cleanup the cleanup
	 */
	void defer(AutoCloseable cleanup);

	/**
	 * Registers a listener that is called once when this scope is cancelled. If it already is, the
	 * listener is called at once on the calling thread. The listener is released when it has fired,
	 * when the returned registration is closed, or when the scope ends.
	 * @param listener the listener
	 * @return a registration that removes the listener
	 */
	Registration onCancel(CancellationListener listener);

	/**
	 * Runs {@code body} on the calling thread so that a cancellation of this scope calls
	 * {@code abort} instead of interrupting the thread. Use it around a blocking call that has its
	 * own way to stop, such as {@code Statement.cancel()}.
	 * <p>
	 * If the scope is already cancelled, {@code body} does not run. {@code abort} runs at most
	 * once, on the cancelling thread, and only while {@code body} runs: this method does not
	 * return before an {@code abort} that started has finished, so an abort never reaches work
	 * that comes after the region. No interrupt of this scope reaches the thread while {@code body}
	 * runs: a forked task's stop, or an enclosing {@linkplain #interruptible interruptible} region's
	 * interrupt, is delivered when the region exits.
	 * @param <T> the type of the result
	 * @param <X> the type of exception {@code body} throws
	 * @param kind what the region waits for, a short lower-case word for metrics and
	 * {@linkplain CancellableScope#snapshot() snapshots}: cancelscope's JDBC statements use
	 * {@code "jdbc"}, its outbound HTTP calls {@code "http"}
	 * @param abort stops {@code body}; must be quick, must not throw, and must not wait for the thread
	 * that runs {@code body} (it runs while the region holds off its exit)
	 * @param body the blocking work
	 * @return the result of {@code body}
	 * @throws X what {@code body} throws
	 * @throws ScopeCancelledException if the scope, or that of an enclosing interruptible region that
	 * interrupted the thread, was cancelled before {@code body} started
	 */
	<T, X extends Throwable> T abortable(String kind, Runnable abort, CheckedCallable<? extends T, X> body)
			throws X;

	/**
	 * Runs {@code body} on the calling thread so that a cancellation of this scope interrupts the
	 * thread. When the region exits, an interrupt it delivered is cleared, so none survives into
	 * code that does not expect one, such as a servlet container's response writing.
	 * <p>
	 * While an {@linkplain #abortable abortable} region runs inside this one on the same thread, its
	 * abort stops it and the interrupt waits: it is delivered when the inner region exits, since an
	 * interrupt breaks the connection of a JDBC statement or HTTP exchange.
	 * @param <T> the type of the result
	 * @param <X> the type of exception {@code body} throws
	 * @param kind what the region waits for, a short lower-case word, as for {@link #abortable}
	 * @param body the blocking work, which stops when interrupted
	 * @return the result of {@code body}
	 * @throws X what {@code body} throws
	 * @throws ScopeCancelledException if the scope was cancelled before {@code body} started
	 */
	<T, X extends Throwable> T interruptible(String kind, CheckedCallable<? extends T, X> body) throws X;

}
