package io.github.cancelscope.autoconfigure;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.ScopeOptions;
import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.ClassFilter;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.CommandLineRunner;

/**
 * Runs every {@link ApplicationRunner} and {@link CommandLineRunner} in a child of the application
 * scope, so that shutting down during start-up stops it: the runner's thread is interrupted (a sleep
 * or a wait ends), its JDBC statements are cancelled, its cleanups run.
 */
final class StartupRunnerPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor {

	StartupRunnerPostProcessor(Supplier<CancellableScope> applicationScope) {
		MethodInterceptor interceptor = (invocation) -> {
			Object target = invocation.getThis();
			String runner = (target != null) ? target.getClass().getName() : "runner";
			CancellableScope scope = applicationScope.get().openChild(ScopeOptions.of(ScopeOptions.STARTUP, runner));
			try (scope) {
				return scope.call(() -> scope.interruptible(ScopeOptions.STARTUP, invocation::proceed));
			}
		};
		this.advisor = new DefaultPointcutAdvisor(new RunMethodPointcut(), interceptor);
		setBeforeExistingAdvisors(true);
	}

	private static final class RunMethodPointcut extends StaticMethodMatcherPointcut {

		RunMethodPointcut() {
			setClassFilter(new ClassFilter() {

				@Override
				public boolean matches(Class<?> clazz) {
					return ApplicationRunner.class.isAssignableFrom(clazz) || CommandLineRunner.class.isAssignableFrom(clazz);
				}

			});
		}

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			return method.getName().equals("run") && method.getParameterCount() == 1
					&& (method.getParameterTypes()[0] == String[].class
							|| method.getParameterTypes()[0] == ApplicationArguments.class);
		}

	}

}
