package io.github.cancelscope.resilience;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.format.annotation.DurationFormat;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.resilience.annotation.Retryable;
import org.springframework.util.StringUtils;
import org.springframework.util.StringValueResolver;

/**
 * The back-off of a {@code @Retryable} method as its annotation declares it: how many retries, and
 * the shortest delay before each, as Spring's retry interceptor reads them.
 */
final class RetryDelays {

	private final long maxRetries;

	private final Duration delay;

	private final Duration jitter;

	private final double multiplier;

	private final Duration maxDelay;

	private RetryDelays(long maxRetries, Duration delay, Duration jitter, double multiplier, Duration maxDelay) {
		this.maxRetries = maxRetries;
		this.delay = delay;
		this.jitter = jitter;
		this.multiplier = multiplier;
		this.maxDelay = maxDelay;
	}

	/**
	 * Reads the {@code @Retryable} annotation of a method or, failing that, of its class.
	 * @return the delays, or {@code null} if neither is annotated
	 */
	static @Nullable RetryDelays of(Method method, Class<?> targetClass, @Nullable StringValueResolver resolver) {
		Retryable retryable = AnnotatedElementUtils.findMergedAnnotation(method, Retryable.class);
		if (retryable == null) {
			retryable = AnnotatedElementUtils.findMergedAnnotation(targetClass, Retryable.class);
		}
		if (retryable == null) {
			return null;
		}
		TimeUnit unit = retryable.timeUnit();
		String maxRetries = resolve(retryable.maxRetriesString(), resolver);
		String multiplier = resolve(retryable.multiplierString(), resolver);
		return new RetryDelays((maxRetries != null) ? Long.parseLong(maxRetries) : retryable.maxRetries(),
				duration(retryable.delay(), retryable.delayString(), unit, resolver),
				duration(retryable.jitter(), retryable.jitterString(), unit, resolver),
				(multiplier != null) ? Double.parseDouble(multiplier) : retryable.multiplier(),
				duration(retryable.maxDelay(), retryable.maxDelayString(), unit, resolver));
	}

	/**
	 * Says whether the policy allows another attempt after {@code failures} failed ones.
	 */
	boolean retriesAfter(int failures) {
		return failures <= this.maxRetries;
	}

	/**
	 * Returns the shortest back-off before the attempt that follows the {@code failures}-th failure:
	 * the delay grown by the multiplier, capped by the maximum delay, less the jitter.
	 */
	Duration delayAfter(int failures) {
		double millis = this.delay.toMillis() * Math.pow(Math.max(this.multiplier, 1.0), failures - 1);
		long capped = (long) Math.min(millis, this.maxDelay.toMillis());
		return Duration.ofMillis(Math.max(0, capped - this.jitter.toMillis()));
	}

	private static @Nullable String resolve(String value, @Nullable StringValueResolver resolver) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		String resolved = (resolver != null) ? resolver.resolveStringValue(value) : value;
		return StringUtils.hasText(resolved) ? resolved : null;
	}

	private static Duration duration(long value, String text, TimeUnit unit, @Nullable StringValueResolver resolver) {
		String resolved = resolve(text, resolver);
		if (resolved != null) {
			return DurationFormatterUtils.detectAndParse(resolved, DurationFormat.Unit.fromChronoUnit(unit.toChronoUnit()));
		}
		return Duration.of(value, unit.toChronoUnit());
	}

}
