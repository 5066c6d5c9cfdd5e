package io.github.cancelscope.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;

/**
 * {@link org.springframework.context.annotation.Conditional @Conditional} that matches unless
 * {@code cancelscope.enabled} is {@code false}: the one switch of every cancelscope
 * auto-configuration. Switched off, the application is exactly as without the starter.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Documented
@ConditionalOnBooleanProperty(name = "cancelscope.enabled", matchIfMissing = true)
public @interface ConditionalOnCancelScopeEnabled {

}
