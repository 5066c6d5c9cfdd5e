package io.github.cancelscope.autoconfigure.grpc;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.grpc.ScopedClientInterceptor;
import io.github.cancelscope.grpc.ScopedServerInterceptor;
import io.grpc.ServerInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancelScopeGrpcAutoConfiguration}.
 */
class CancelScopeGrpcAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class, CancelScopeGrpcAutoConfiguration.class));

	@Test
	void providesTheInterceptors() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ScopedServerInterceptor.class)
			.hasSingleBean(ScopedClientInterceptor.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ScopedServerInterceptor.class)
				.doesNotHaveBean(ScopedClientInterceptor.class));
	}

	@Test
	void isIgnoredWhenGrpcIsNotOnTheClasspath() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ServerInterceptor.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ScopedServerInterceptor.class));
	}

	@Test
	void userDefinedInterceptorTakesPrecedence() {
		this.contextRunner.withBean("myInterceptor", ScopedClientInterceptor.class, ScopedClientInterceptor::new)
			.run((context) -> assertThat(context).hasSingleBean(ScopedClientInterceptor.class).hasBean("myInterceptor"));
	}

}
