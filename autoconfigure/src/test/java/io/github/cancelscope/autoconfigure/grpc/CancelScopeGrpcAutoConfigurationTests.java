package io.github.cancelscope.autoconfigure.grpc;

import java.util.List;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.grpc.ScopedClientInterceptor;
import io.github.cancelscope.grpc.ScopedServerInterceptor;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.service.DefaultGrpcServiceConfigurer;
import org.springframework.grpc.server.service.GrpcServiceInfo;
import org.springframework.grpc.server.service.GrpcServiceSpec;

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
	void withSpringGrpcEveryServiceRunsItsCallsInScopes() {
		this.contextRunner.run((context) -> {
			assertThat(context.findAnnotationOnBean("cancelScopeGrpcServerInterceptor", GlobalServerInterceptor.class))
				.isNotNull();
			assertThat(context.findAnnotationOnBean("cancelScopeGrpcClientInterceptor", GlobalClientInterceptor.class))
				.isNotNull();
			// what Spring gRPC's server factories do with each service bean
			DefaultGrpcServiceConfigurer configurer = new DefaultGrpcServiceConfigurer(context);
			configurer.afterPropertiesSet();
			ServerServiceDefinition reports = configurer.configure(
					new GrpcServiceSpec(() -> ServerServiceDefinition.builder("test.Reports")
						.addMethod(StringMethods.SLOW_REPORT, ServerCalls.asyncUnaryCall((id, response) -> {
							RequestScope scope = RequestScope.current();
							response.onNext(scope.kind() + " " + scope.name());
							response.onCompleted();
						}))
						.build(), GrpcServiceInfo.withInterceptors(List.of())),
					new UnusedServerFactory());
			Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
				.addService(reports)
				.build()
				.start();
			ManagedChannel channel = Grpc
				.newChannelBuilderForAddress("localhost", server.getPort(), InsecureChannelCredentials.create())
				.build();
			try {
				assertThat(ClientCalls.blockingUnaryCall(channel, StringMethods.SLOW_REPORT, CallOptions.DEFAULT, "any"))
					.isEqualTo("grpc test.Reports/Slow");
			}
			finally {
				channel.shutdownNow();
				server.shutdownNow();
			}
		});
	}

	@Test
	void withoutSpringGrpcTheInterceptorsAreBeansToAddByHand() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(GlobalServerInterceptor.class))
			.run((context) -> assertThat(context).hasSingleBean(ScopedServerInterceptor.class)
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

	/**
	 * Spring gRPC asks its server factory which interceptors apply; this test serves the service itself.
	 */
	private static final class UnusedServerFactory implements GrpcServerFactory {

		@Override
		public Server createServer() {
			throw new UnsupportedOperationException();
		}

		@Override
		public void addService(ServerServiceDefinition service) {
			throw new UnsupportedOperationException();
		}

	}

}
