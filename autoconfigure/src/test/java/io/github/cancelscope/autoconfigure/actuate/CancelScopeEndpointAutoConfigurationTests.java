package io.github.cancelscope.autoconfigure.actuate;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeEndpointAutoConfiguration}.
 */
class CancelScopeEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class, EndpointAutoConfiguration.class,
				CancelScopeEndpointAutoConfiguration.class));

	@Test
	void endpointIsAvailableWhenExposed() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=cancelscope")
			.run((context) -> {
				assertThat(context).hasSingleBean(CancelScopeEndpoint.class);
				CancelScopeEndpoint endpoint = context.getBean(CancelScopeEndpoint.class);
				try (CancellableScope scope = context.getBean(CancellableScope.class)
					.openChild(ScopeOptions.of(ScopeOptions.REQUEST).withDescription("GET /orders"))) {
					assertThat(endpoint.scopes().scopes()).singleElement().satisfies((entry) -> {
						assertThat(entry.kind()).isEqualTo("request");
						assertThat(entry.method()).isEqualTo("GET");
						assertThat(entry.path()).isEqualTo("/orders");
						assertThat(entry.scope().id()).isEqualTo(scope.id());
					});
					assertThat(endpoint.cancel(scope.id()).outcome()).isEqualTo("cancelled");
					assertThat(endpoint.cancel(scope.id()).outcome()).isEqualTo("already-cancelled");
				}
				assertThat(endpoint.cancel("none").outcome()).isEqualTo("not-found");
			});
	}

	@Test
	void endpointIsNotAvailableUnlessExposed() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(CancelScopeEndpoint.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner
			.withPropertyValues("cancelscope.enabled=false", "management.endpoints.web.exposure.include=cancelscope")
			.run((context) -> assertThat(context).doesNotHaveBean(CancelScopeEndpoint.class));
	}

	@Test
	void isIgnoredWhenActuatorIsNotOnTheClasspath() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
					CancelScopeEndpointAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.withPropertyValues("management.endpoints.web.exposure.include=cancelscope")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CancelScopeEndpoint.class));
	}

	@Test
	void userDefinedEndpointTakesPrecedence() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=cancelscope")
			.withBean("myEndpoint", CancelScopeEndpoint.class, () -> new CancelScopeEndpoint(CancellableScope.root(ScopeSettings.defaults())))
			.run((context) -> assertThat(context).hasSingleBean(CancelScopeEndpoint.class).hasBean("myEndpoint"));
	}

}
