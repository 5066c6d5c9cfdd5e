package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

/**
 * Thrown when none of a web server's connections can be watched; the message says why.
 */
final class UnwatchableServerException extends RuntimeException {

	UnwatchableServerException(String message) {
		super(message);
	}

	UnwatchableServerException(String message, Throwable cause) {
		super(message, cause);
	}

}
