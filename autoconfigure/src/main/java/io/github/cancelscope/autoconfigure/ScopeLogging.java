package io.github.cancelscope.autoconfigure;

import java.util.Map;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeCancellation;
import io.github.cancelscope.spi.ScopeObserver;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.boot.logging.LogLevel;

/**
 * Puts the current scope's id in the logging MDC on every thread the scope runs on, and logs each
 * cancellation once, where it began (not again for each descendant it reached), with its reason and
 * what it stopped, never with a stack trace: a cancellation is expected.
 */
final class ScopeLogging implements ScopeObserver {

	private static final Log logger = LogFactory.getLog(ScopeLogging.class);

	private final LogLevel level;

	private final @Nullable String mdcKey;

	/**
	 * Creates the observer.
	 * @param level the level of cancellation messages
	 * @param mdcKey the MDC key of the scope id, or {@code null} to leave the MDC alone
	 */
	ScopeLogging(LogLevel level, @Nullable String mdcKey) {
		this.level = level;
		this.mdcKey = mdcKey;
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		boolean logs = this.level != LogLevel.OFF;
		String mdcKey = !scope.kind().equals(ScopeOptions.APPLICATION) ? this.mdcKey : null;
		return (logs || mdcKey != null) ? new Logged(scope, mdcKey) : ObservedScope.NONE;
	}

	private boolean isEnabled() {
		return switch (this.level) {
			case TRACE -> logger.isTraceEnabled();
			case DEBUG -> logger.isDebugEnabled();
			case INFO -> logger.isInfoEnabled();
			case WARN -> logger.isWarnEnabled();
			case ERROR -> logger.isErrorEnabled();
			case FATAL -> logger.isFatalEnabled();
			case OFF -> false;
		};
	}

	private void log(String message) {
		switch (this.level) {
			case TRACE -> logger.trace(message);
			case DEBUG -> logger.debug(message);
			case INFO -> logger.info(message);
			case WARN -> logger.warn(message);
			case ERROR -> logger.error(message);
			case FATAL -> logger.fatal(message);
			case OFF -> {
			}
		}
	}

	static String describe(RequestScope scope, ScopeCancellation cancellation) {
		StringBuilder message = new StringBuilder("Cancelled ").append(scope.kind())
			.append(" scope ")
			.append(scope.id());
		if (!scope.description().equals(scope.kind())) {
			message.append(" (").append(scope.description()).append(')');
		}
		Cancellation why = cancellation.cancellation();
		message.append(" with ").append(why.reason());
		Throwable cause = why.cause();
		if (cause != null && why.reason() == CancellationReason.SIBLING_FAILED) {
			// the failure's type and message, never its stack: it is handled elsewhere
			message.append(" after ").append(cause.getClass().getName());
			if (cause.getMessage() != null) {
				message.append(": ").append(cause.getMessage());
			}
		}
		message.append("; stopped ").append(count(cancellation.forksStopped(), "forked task"));
		for (Map.Entry<String, Integer> regions : cancellation.regionsAborted().entrySet()) {
			message.append(", aborted ").append(count(regions.getValue(), regions.getKey() + " call"));
		}
		message.append(", cancelled ").append(count(cancellation.scopesCancelled(), "child scope"));
		return message.toString();
	}

	private static String count(int n, String what) {
		return n + " " + what + ((n == 1) ? "" : "s");
	}

	private final class Logged implements ObservedScope {

		private final RequestScope scope;

		private final @Nullable String mdcKey;

		Logged(RequestScope scope, @Nullable String mdcKey) {
			this.scope = scope;
			this.mdcKey = mdcKey;
		}

		@Override
		public <R, X extends Throwable> R bind(CheckedCallable<? extends R, X> op) throws X {
			if (this.mdcKey == null) {
				return op.call();
			}
			String previous = MDC.get(this.mdcKey);
			MDC.put(this.mdcKey, this.scope.id());
			try {
				return op.call();
			}
			finally {
				if (previous != null) {
					MDC.put(this.mdcKey, previous);
				}
				else {
					MDC.remove(this.mdcKey);
				}
			}
		}

		@Override
		public void cancelled(ScopeCancellation cancellation) {
			if (!cancellation.inherited() && isEnabled()) {
				log(describe(this.scope, cancellation));
			}
		}

	}

}
