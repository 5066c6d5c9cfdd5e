package io.github.cancelscope.autoconfigure;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.Scoped;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.StringValueResolver;

/**
 * Finds the {@link Scoped @Scoped} annotation that applies to a method (on the method, on the method
 * it implements, or on its class), and works out once per method the options of the scope a call
 * opens: kind {@value ScopeOptions#METHOD}, named {@code Type.method}, with the parsed timeout.
 */
final class ScopedMethods {

	private final Map<MethodClassKey, ScopeOptions> cache = new ConcurrentHashMap<>();

	private volatile @Nullable StringValueResolver placeholders;

	void setPlaceholders(StringValueResolver placeholders) {
		this.placeholders = placeholders;
	}

	/**
	 * Returns the options of the scope that a call to {@code method} on an instance of
	 * {@code targetClass} opens.
	 * @throws IllegalArgumentException if the annotation's timeout is malformed
	 */
	ScopeOptions of(Method method, @Nullable Class<?> targetClass) {
		return this.cache.computeIfAbsent(new MethodClassKey(method, targetClass),
				(key) -> ScopeOptions.of(ScopeOptions.METHOD, name(method, targetClass))
					.withTimeout(parse(method, targetClass)));
	}

	private static String name(Method method, @Nullable Class<?> targetClass) {
		Class<?> type = (targetClass != null) ? targetClass : method.getDeclaringClass();
		return type.getSimpleName() + "." + method.getName();
	}

	private @Nullable Duration parse(Method method, @Nullable Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		Scoped scoped = AnnotatedElementUtils.findMergedAnnotation(specific, Scoped.class);
		if (scoped == null) {
			scoped = AnnotatedElementUtils.findMergedAnnotation(
					(targetClass != null) ? targetClass : specific.getDeclaringClass(), Scoped.class);
		}
		if (scoped == null) {
			return null;
		}
		String value = scoped.timeout();
		StringValueResolver placeholders = this.placeholders;
		if (placeholders != null) {
			String resolved = placeholders.resolveStringValue(value);
			value = (resolved != null) ? resolved : value;
		}
		if (!StringUtils.hasText(value)) {
			return null;
		}
		Duration timeout;
		try {
			timeout = DurationStyle.detectAndParse(value.strip());
		}
		catch (RuntimeException ex) {
			throw invalid(specific, scoped.timeout(), "it is not a duration", ex);
		}
		if (timeout.isNegative()) {
			throw invalid(specific, scoped.timeout(), "it is negative", null);
		}
		return timeout;
	}

	private static IllegalArgumentException invalid(Method method, String value, String why,
			@Nullable Throwable cause) {
		return new IllegalArgumentException("Invalid @Scoped(timeout = \"" + value + "\") on "
				+ method.getDeclaringClass().getName() + "." + method.getName() + "(): " + why
				+ ". Use a duration such as \"500ms\", \"2s\" or \"PT2S\", a number of milliseconds, "
				+ "or leave it empty for no timeout of its own.", cause);
	}

}
