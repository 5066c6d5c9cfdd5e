package io.github.cancelscope.jdbc;

import java.sql.SQLException;

import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a JDBC call that did not run, or was stopped, because its scope was cancelled. Its
 * {@linkplain #getCause() cause} is the scope's {@link ScopeCancelledException}, so
 * {@link ScopeCancelledException#findIn(Throwable)} finds it through any wrapping (a Spring
 * {@code DataAccessException} included). The SQLState is {@value #SQL_STATE} ({@code query_canceled}),
 * the same as a driver's own cancellation. The driver's exception, if there was one, is
 * {@linkplain #getSuppressed() suppressed}.
 */
public final class ScopeCancelledSQLException extends SQLException {

	/** SQLState of a cancelled query. */
	public static final String SQL_STATE = "57014";

	private final CancellationReason reason;

	/**
	 * Creates an exception for work stopped by a cancelled scope.
	 * @param message what was stopped
	 * @param cause the scope's cancellation
	 */
	public ScopeCancelledSQLException(String message, ScopeCancelledException cause) {
		super(message + ": " + cause.getMessage(), SQL_STATE, cause);
		this.reason = cause.reason();
	}

	/**
	 * Returns why the scope was cancelled.
	 * @return the reason
	 */
	public CancellationReason reason() {
		return this.reason;
	}

	/**
	 * Creates an exception for work stopped by {@code scope}, which must be cancelled.
	 */
	static ScopeCancelledSQLException of(String message, RequestScope scope, @Nullable Throwable driverFailure) {
		ScopeCancelledSQLException exception = new ScopeCancelledSQLException(message, cancellationOf(scope));
		if (driverFailure != null) {
			exception.addSuppressed(driverFailure);
		}
		return exception;
	}

	private static ScopeCancelledException cancellationOf(RequestScope scope) {
		return scope.cancellation()
			.orElseThrow(() -> new IllegalStateException("Scope " + scope.id() + " is not cancelled"))
			.toException();
	}

}
