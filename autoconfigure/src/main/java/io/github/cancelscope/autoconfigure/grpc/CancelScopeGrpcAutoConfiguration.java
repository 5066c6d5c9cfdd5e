package io.github.cancelscope.autoconfigure.grpc;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.grpc.ScopedClientInterceptor;
import io.github.cancelscope.grpc.ScopedServerInterceptor;
import io.grpc.ServerInterceptor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * interceptors that give gRPC calls scopes. With Spring gRPC they are global interceptors, applied to
 * its servers and channels; with grpc-java alone, add {@link ScopedServerInterceptor} to servers and
 * {@link ScopedClientInterceptor} to channels.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass(ServerInterceptor.class)
@ConditionalOnCancelScopeEnabled
public final class CancelScopeGrpcAutoConfiguration {

	static final String SPRING_GRPC = "org.springframework.grpc.server.GlobalServerInterceptor";

	/**
	 * With Spring gRPC: the interceptors are global, so every service of its servers and every
	 * channel of its channel factories gets them.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = SPRING_GRPC)
	static class SpringGrpcInterceptors {

		@Bean
		@ConditionalOnMissingBean
		@GlobalServerInterceptor
		ScopedServerInterceptor cancelScopeGrpcServerInterceptor(ObjectProvider<CancellableScope> applicationScope) {
			return new ScopedServerInterceptor(applicationScope::getObject);
		}

		@Bean
		@ConditionalOnMissingBean
		@GlobalClientInterceptor
		ScopedClientInterceptor cancelScopeGrpcClientInterceptor() {
			return new ScopedClientInterceptor();
		}

	}

	/**
	 * With grpc-java alone: beans to add to servers and channels by hand.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass(SPRING_GRPC)
	static class GrpcInterceptors {

		@Bean
		@ConditionalOnMissingBean
		ScopedServerInterceptor cancelScopeGrpcServerInterceptor(ObjectProvider<CancellableScope> applicationScope) {
			return new ScopedServerInterceptor(applicationScope::getObject);
		}

		@Bean
		@ConditionalOnMissingBean
		ScopedClientInterceptor cancelScopeGrpcClientInterceptor() {
			return new ScopedClientInterceptor();
		}

	}

}
