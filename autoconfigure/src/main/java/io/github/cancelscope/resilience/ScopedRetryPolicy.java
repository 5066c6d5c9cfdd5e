package io.github.cancelscope.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * A {@link RetryPolicy} for Spring's {@link RetryTemplate} that follows the scope of the calling
 * thread. Before each retry, in a scope:
 * <ul>
 * <li>a cancelled scope ends the retries with its {@link ScopeCancelledException}, which the
 * template lets through as it is (not wrapped in a {@code RetryException});</li>
 * <li>when the scope's deadline leaves less time than the back-off delay or than
 * {@code minRemaining}, the retries stop as if the policy were exhausted: the caller gets the last
 * failure;</li>
 * <li>the back-off waits for the delay or for the scope's cancellation, whichever comes first, and
 * a cancellation ends it at once with the {@code ScopeCancelledException}.</li>
 * </ul>
 * Outside a scope it is the policy it decorates. The template's own timeout check sees the back-off
 * as already waited: with {@code RetryPolicy.Builder.timeout}, a retry the timeout would cut short
 * is stopped after its back-off rather than before.
 * {@snippet :
 * RetryTemplate template = new RetryTemplate(ScopedRetryPolicy.of(RetryPolicy.withMaxRetries(3)));
 * }
 * Spring's {@code @Retryable} methods are covered by {@link ScopedResilientMethods} instead.
 */
public final class ScopedRetryPolicy implements RetryPolicy {

	private final RetryPolicy policy;

	private final Duration minRemaining;

	private ScopedRetryPolicy(RetryPolicy policy, Duration minRemaining) {
		this.policy = policy;
		this.minRemaining = minRemaining;
	}

	/**
	 * Returns a policy like {@code policy} that follows the calling thread's scope.
	 * @param policy the policy to decorate
	 * @return the scoped policy
	 */
	public static ScopedRetryPolicy of(RetryPolicy policy) {
		return of(policy, Duration.ZERO);
	}

	/**
	 * Returns a policy like {@code policy} that follows the calling thread's scope and starts no
	 * retry with less than {@code minRemaining} left before the scope's deadline.
	 * @param policy the policy to decorate
	 * @param minRemaining the least time a retry must have left
	 * @return the scoped policy
	 * @throws IllegalArgumentException if {@code minRemaining} is negative
	 */
	public static ScopedRetryPolicy of(RetryPolicy policy, Duration minRemaining) {
		if (minRemaining.isNegative()) {
			throw new IllegalArgumentException("minRemaining must not be negative, but was " + minRemaining);
		}
		RetryPolicy target = (policy instanceof ScopedRetryPolicy scoped) ? scoped.policy : policy;
		return new ScopedRetryPolicy(target, minRemaining);
	}

	@Override
	public boolean shouldRetry(Throwable throwable) {
		return this.policy.shouldRetry(throwable);
	}

	@Override
	public Duration getTimeout() {
		return this.policy.getTimeout();
	}

	@Override
	public BackOff getBackOff() {
		BackOff backOff = this.policy.getBackOff();
		return () -> new ScopedBackOffExecution(backOff.start(), this.minRemaining);
	}

	@Override
	public String toString() {
		return "ScopedRetryPolicy[" + this.policy + ", minRemaining=" + this.minRemaining + "]";
	}

	/**
	 * A back-off that waits on the scope instead of leaving a sleep to the template.
	 */
	private static final class ScopedBackOffExecution implements BackOffExecution {

		private final BackOffExecution execution;

		private final Duration minRemaining;

		ScopedBackOffExecution(BackOffExecution execution, Duration minRemaining) {
			this.execution = execution;
			this.minRemaining = minRemaining;
		}

		@Override
		public long nextBackOff() {
			long delay = this.execution.nextBackOff();
			Optional<RequestScope> found = RequestScope.find();
			if (delay == STOP || found.isEmpty()) {
				return delay;
			}
			RequestScope scope = found.get();
			scope.throwIfCancelled();
			Optional<Duration> remaining = scope.remaining();
			if (remaining.isPresent()) {
				Duration needed = Duration.ofMillis(delay);
				if (needed.compareTo(this.minRemaining) < 0) {
					needed = this.minRemaining;
				}
				if (remaining.get().compareTo(needed) < 0) {
					return STOP;
				}
			}
			return (delay > 0) ? waitOn(scope, delay) : delay;
		}

		private static long waitOn(RequestScope scope, long delay) {
			CountDownLatch cancelled = new CountDownLatch(1);
			try (Registration registration = scope.onCancel((cancellation) -> cancelled.countDown())) {
				if (cancelled.await(delay, TimeUnit.MILLISECONDS)) {
					scope.throwIfCancelled();
				}
			}
			catch (InterruptedException ex) {
				// the template's own sleep of 0 ms sees the interrupt and ends the retries, as it would
				Thread.currentThread().interrupt();
			}
			return 0;
		}

	}

}
