package io.github.cancelscope.autoconfigure;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * it implements, or on its class), and works out once per method what a call needs: its parsed
 * timeout and its name.
 */
final class ScopedMethods {

	private final Map<MethodClassKey, ScopedMethod> cache = new ConcurrentHashMap<>();

	private volatile @Nullable StringValueResolver placeholders;

	void setPlaceholders(StringValueResolver placeholders) {
		this.placeholders = placeholders;
	}

	/**
	 * Describes a call to {@code method} on an instance of {@code targetClass}.
	 * @throws IllegalArgumentException if the annotation's timeout is malformed
	 */
	ScopedMethod of(Method method, @Nullable Class<?> targetClass) {
		return this.cache.computeIfAbsent(new MethodClassKey(method, targetClass),
				(key) -> new ScopedMethod(parse(method, targetClass), origin(method, targetClass)));
	}

	private static ScopeOrigin origin(Method method, @Nullable Class<?> targetClass) {
		Class<?> type = (targetClass != null) ? targetClass : method.getDeclaringClass();
		return new ScopeOrigin(ScopeOrigin.Kind.METHOD, type.getSimpleName() + "." + method.getName());
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

	/**
	 * What a call to a {@code @Scoped} method needs.
	 *
	 * @param timeout the child scope's own timeout, or {@code null} for none
	 * @param origin what the observers are told opened the child scope
	 */
	record ScopedMethod(@Nullable Duration timeout, ScopeOrigin origin) {
	}

}
