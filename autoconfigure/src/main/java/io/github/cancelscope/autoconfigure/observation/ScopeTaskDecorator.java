package io.github.cancelscope.autoconfigure.observation;

import java.time.Duration;
import java.util.Optional;

import io.github.cancelscope.RequestScope;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.core.task.TaskDecorator;

/**
 * Decorates work handed to Spring's task executors (and so {@code @Async} methods) from inside a
 * scope: it keeps the submitting thread's context (tracing, observations) and the scope id in the
 * logging MDC, and, when asked to, runs in a child of the scope, which cancels it and waits for it.
 * Outside any scope a task only keeps the context.
 */
final class ScopeTaskDecorator implements TaskDecorator {

	private final @Nullable TaskDecorator contextPropagation;

	private final boolean bindToScope;

	private final Duration closeTimeout;

	private final @Nullable String mdcKey;

	/**
	 * Creates a decorator.
	 * @param contextPropagation carries thread-local context, or {@code null} without context-propagation
	 * @param bindToScope whether tasks run in a child of the submitting scope
	 * @param closeTimeout how long the scope waits for a bound task when it ends
	 * @param mdcKey the MDC key of the scope id, or {@code null}
	 */
	ScopeTaskDecorator(@Nullable TaskDecorator contextPropagation, boolean bindToScope, Duration closeTimeout,
			@Nullable String mdcKey) {
		this.contextPropagation = contextPropagation;
		this.bindToScope = bindToScope;
		this.closeTimeout = closeTimeout;
		this.mdcKey = mdcKey;
	}

	@Override
	public Runnable decorate(Runnable runnable) {
		Runnable task = (this.contextPropagation != null) ? this.contextPropagation.decorate(runnable) : runnable;
		Optional<RequestScope> current = RequestScope.find();
		if (current.isEmpty()) {
			return task;
		}
		RequestScope scope = current.get();
		if (this.bindToScope) {
			// the child scope's observers put its id in the MDC
			return BoundTask.bind(scope, task, runnable, this.closeTimeout);
		}
		return (this.mdcKey != null) ? withMdc(this.mdcKey, scope.id(), task) : task;
	}

	private static Runnable withMdc(String key, String scopeId, Runnable task) {
		return () -> {
			String previous = MDC.get(key);
			MDC.put(key, scopeId);
			try {
				task.run();
			}
			finally {
				if (previous != null) {
					MDC.put(key, previous);
				}
				else {
					MDC.remove(key);
				}
			}
		};
	}

}
