package io.github.cancelscope;

/**
 * A piece of work that returns a result and may throw a checked exception of a type the caller
 * names: what {@link CancellableScope#call}, {@link RequestScope#abortable} and
 * {@link RequestScope#interruptible} run. Unlike {@link java.util.concurrent.Callable}, a body that
 * throws no checked exception needs no {@code catch}, and one that throws {@code SQLException}
 * keeps that type.
 *
 * @param <T> the type of the result
 * @param <X> the type of exception the work throws
 */
@FunctionalInterface
public interface CheckedCallable<T, X extends Throwable> {

	/**
	 * Does the work.
	 * @return the result
	 * @throws X if the work fails
	 */
	T call() throws X;

}
