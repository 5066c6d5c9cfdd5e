package io.github.cancelscope;

/**
 * Thrown when a scope ends and a cleanup registered with {@link RequestScope#defer} threw a checked
 * exception. The cause is that exception; further failures are suppressed.
 */
public class ScopeCleanupException extends RuntimeException {

	/**
	 * Creates an exception for a failed cleanup.
	 * @param scopeId the scope whose cleanup failed
	 * @param cause the cleanup's exception
	 */
	public ScopeCleanupException(String scopeId, Throwable cause) {
		super("A cleanup of scope " + scopeId + " failed: " + cause, cause);
	}

}
