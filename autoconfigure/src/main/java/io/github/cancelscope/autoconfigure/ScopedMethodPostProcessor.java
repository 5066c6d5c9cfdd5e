package io.github.cancelscope.autoconfigure;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Scoped;

import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringValueResolver;

/**
 * Proxies beans with {@link Scoped @Scoped} methods or types, and checks every {@code @Scoped}
 * timeout while the bean is created, so a malformed one fails start-up instead of a request.
 */
final class ScopedMethodPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
		implements EmbeddedValueResolverAware {

	private final ScopedMethods methods = new ScopedMethods();

	ScopedMethodPostProcessor(Supplier<CancellableScope> applicationScope) {
		ComposablePointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(Scoped.class, true))
			.union(new AnnotationMatchingPointcut(null, Scoped.class, true));
		this.advisor = new DefaultPointcutAdvisor(pointcut, new ScopedMethodInterceptor(this.methods, applicationScope));
		// the child scope must enclose other advice, a transaction included
		setBeforeExistingAdvisors(true);
	}

	@Override
	public void setEmbeddedValueResolver(StringValueResolver resolver) {
		this.methods.setPlaceholders(resolver);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (this.advisor != null && isEligible(bean, beanName)) {
			validateTimeouts(AopUtils.getTargetClass(bean), beanName);
		}
		return super.postProcessAfterInitialization(bean, beanName);
	}

	private void validateTimeouts(Class<?> targetClass, String beanName) {
		boolean typeScoped = AnnotatedElementUtils.hasAnnotation(targetClass, Scoped.class);
		for (Method method : MethodIntrospector.selectMethods(targetClass,
				(ReflectionUtils.MethodFilter) (candidate) -> typeScoped
						|| AnnotatedElementUtils.hasAnnotation(candidate, Scoped.class))) {
			try {
				this.methods.of(method, targetClass);
			}
			catch (IllegalArgumentException ex) {
				throw new BeanInitializationException(
						"Bean '" + beanName + "' has an invalid @Scoped timeout: " + ex.getMessage(), ex);
			}
		}
	}

}
