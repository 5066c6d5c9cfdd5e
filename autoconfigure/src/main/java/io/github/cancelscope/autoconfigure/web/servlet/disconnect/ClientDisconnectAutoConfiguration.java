package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.autoconfigure.CancelScopeProperties;
import io.github.cancelscope.autoconfigure.ConditionalOnCancelScopeEnabled;
import io.github.cancelscope.web.servlet.ClientDisconnectWatch;
import jakarta.servlet.Filter;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} that cancels a request's scope when its client goes
 * away, on an embedded Tomcat or Jetty.
 */
// by name, so that this package does not depend on the web MVC one
@AutoConfiguration(after = CancelScopeAutoConfiguration.class,
		beforeName = "io.github.cancelscope.autoconfigure.web.servlet.CancelScopeWebMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ Filter.class, WebServerInitializedEvent.class })
@ConditionalOnCancelScopeEnabled
@ConditionalOnBooleanProperty(name = "cancelscope.request.disconnect.enabled", matchIfMissing = true)
public final class ClientDisconnectAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(ClientDisconnectWatch.class)
	ContainerDisconnectWatch cancelScopeClientDisconnectWatch(CancelScopeProperties properties) {
		return new ContainerDisconnectWatch(properties.getRequest().getDisconnect().getGrace(), ServerConnections::of);
	}

}
