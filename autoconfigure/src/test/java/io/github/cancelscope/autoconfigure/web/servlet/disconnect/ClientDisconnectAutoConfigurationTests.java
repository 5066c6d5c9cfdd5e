package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.web.servlet.CancelScopeWebMvcAutoConfiguration;
import io.github.cancelscope.web.servlet.ClientDisconnectWatch;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ClientDisconnectAutoConfiguration}.
 */
class ClientDisconnectAutoConfigurationTests {

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(
			CancelScopeAutoConfiguration.class, ClientDisconnectAutoConfiguration.class,
			CancelScopeWebMvcAutoConfiguration.class);

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(CONFIGURATIONS);

	@Test
	void definesAWatchThatStaysOffUntilAWebServerStarts() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ClientDisconnectWatch.class);
			assertThat(context.getBean(ContainerDisconnectWatch.class).selectedConnections()).isEqualTo(-1);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.request.disconnect.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClientDisconnectWatch.class));
	}

	@Test
	void backsOffWhenCancelScopeIsDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClientDisconnectWatch.class));
	}

	@Test
	void userDefinedWatchTakesPrecedence() {
		this.contextRunner.withUserConfiguration(UserWatch.class).run((context) -> {
			assertThat(context).hasSingleBean(ClientDisconnectWatch.class);
			assertThat(context.getBean(ClientDisconnectWatch.class)).isSameAs(UserWatch.WATCH);
		});
	}

	@Test
	void isIgnoredOutsideAServletWebApplication() {
		new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.run((context) -> assertThat(context).doesNotHaveBean(ClientDisconnectWatch.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class UserWatch {

		static final ClientDisconnectWatch WATCH = (request, response, scope) -> ClientDisconnectWatch.Watch.NONE;

		@Bean
		ClientDisconnectWatch userWatch() {
			return WATCH;
		}

	}

}
