package io.github.cancelscope.autoconfigure.web.servlet;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeWebMvcAutoConfiguration}.
 */
class CancelScopeWebMvcAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CancelScopeAutoConfiguration.class, CancelScopeWebMvcAutoConfiguration.class));

	@Test
	void registersTheRequestScopeFilter() {
		this.contextRunner.run((context) -> {
			FilterRegistrationBean<?> registration = context.getBean(CancelScopeWebMvcAutoConfiguration.FILTER_BEAN_NAME,
					FilterRegistrationBean.class);
			assertThat(registration.getFilter()).isInstanceOf(RequestScopeFilter.class);
			assertThat(registration.getOrder()).isEqualTo(CancelScopeWebMvcAutoConfiguration.FILTER_ORDER);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CancelScopeWebMvcAutoConfiguration.FILTER_BEAN_NAME)
				.doesNotHaveBean(FilterRegistrationBean.class));
	}

	@Test
	void backsOffWhenNotAServletWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
					CancelScopeWebMvcAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
	}

	@Test
	void userDefinedFilterRegistrationTakesPrecedence() {
		this.contextRunner.withUserConfiguration(UserFilterConfiguration.class).run((context) -> {
			assertThat(context.getBean(CancelScopeWebMvcAutoConfiguration.FILTER_BEAN_NAME))
				.isSameAs(UserFilterConfiguration.registration);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserFilterConfiguration {

		static final FilterRegistrationBean<?> registration = new FilterRegistrationBean<>();

		@Bean(CancelScopeWebMvcAutoConfiguration.FILTER_BEAN_NAME)
		FilterRegistrationBean<?> userRegistration() {
			return registration;
		}

	}

}
