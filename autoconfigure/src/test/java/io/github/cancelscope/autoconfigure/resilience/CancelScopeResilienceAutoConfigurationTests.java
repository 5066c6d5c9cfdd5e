package io.github.cancelscope.autoconfigure.resilience;

import java.time.Duration;
import java.util.Arrays;

import io.github.cancelscope.autoconfigure.resilience.ResilienceTestConfiguration.Flaky;
import io.github.cancelscope.autoconfigure.resilience.ResilienceTestConfiguration.Limited;
import io.github.cancelscope.resilience.ScopedResilientMethods;
import org.junit.jupiter.api.Test;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.resilience.retry.AbstractRetryInterceptor;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeResilienceAutoConfiguration}.
 */
class CancelScopeResilienceAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeResilienceAutoConfiguration.class))
		.withUserConfiguration(ResilienceTestConfiguration.class);

	@Test
	void placesScopeAdvisorsAroundSpringsRetryAndConcurrencyLimitAdvisors() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ScopedResilientMethods.class);
			assertThat(adviceNames(context.getBean(Flaky.class))).containsSubsequence("RetryScopeInterceptor",
					"RetryAnnotationInterceptor", "RetryAttemptInterceptor");
			assertThat(adviceNames(context.getBean(Limited.class))).containsSubsequence("PermitWaitInterceptor",
					"ConcurrencyLimitInterceptor", "PermitHeldInterceptor");
		});
	}

	@Test
	void bindsTheMinimumRemainingTime() {
		this.contextRunner.withPropertyValues("cancelscope.retry.min-remaining=250ms")
			.run((context) -> assertThat(ReflectionTestUtils.getField(context.getBean(ScopedResilientMethods.class),
					"minRemaining"))
				.isEqualTo(Duration.ofMillis(250)));
	}

	@Test
	void negativeMinimumFailsStartUpWithAMessage() {
		this.contextRunner.withPropertyValues("cancelscope.retry.min-remaining=-1s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("minRemaining must not be negative"));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ScopedResilientMethods.class);
			assertThat(adviceNames(context.getBean(Flaky.class))).doesNotContain("RetryScopeInterceptor");
		});
	}

	@Test
	void isIgnoredWhenSpringResilienceIsNotOnTheClasspath() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CancelScopeResilienceAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(AbstractRetryInterceptor.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ScopedResilientMethods.class));
	}

	@Test
	void userDefinedBeanTakesPrecedence() {
		this.contextRunner.withUserConfiguration(OwnPostProcessor.class)
			.run((context) -> assertThat(context).getBean(ScopedResilientMethods.class)
				.isSameAs(OwnPostProcessor.instance));
	}

	private static String[] adviceNames(Object bean) {
		Advisor[] advisors = ((Advised) bean).getAdvisors();
		return Arrays.stream(advisors).map((advisor) -> advisor.getAdvice().getClass().getSimpleName())
			.toArray(String[]::new);
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnPostProcessor {

		static final ScopedResilientMethods instance = new ScopedResilientMethods(Duration.ofSeconds(1));

		@Bean
		static ScopedResilientMethods ownScopedResilientMethods() {
			return instance;
		}

	}

}
