package io.github.cancelscope;

/**
 * A handle to something registered with a scope; closing it removes the registration.
 * Closing is idempotent and never throws.
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {

	/** A registration that has nothing to remove. */
	Registration NONE = () -> {
	};

	/** Removes the registration. Has no effect if it was already removed or has fired. */
	@Override
	void close();

}
