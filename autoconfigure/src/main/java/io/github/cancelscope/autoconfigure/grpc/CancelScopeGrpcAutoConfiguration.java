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
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of the
 * interceptors that give gRPC calls scopes: add {@link ScopedServerInterceptor} to servers and
 * {@link ScopedClientInterceptor} to channels.
 */
@AutoConfiguration(after = CancelScopeAutoConfiguration.class)
@ConditionalOnClass(ServerInterceptor.class)
@ConditionalOnCancelScopeEnabled
public final class CancelScopeGrpcAutoConfiguration {

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
