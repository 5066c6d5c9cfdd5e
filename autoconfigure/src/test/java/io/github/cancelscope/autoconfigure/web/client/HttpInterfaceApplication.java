package io.github.cancelscope.autoconfigure.web.client;

import io.github.cancelscope.autoconfigure.HandlerFailures;
import io.github.cancelscope.autoconfigure.ScopeEnds;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

/**
 * A service that calls the {@link DownstreamServer} through an {@code @HttpExchange} interface,
 * proxied on the {@code RestClient} that Spring Boot's builder makes. Each request names itself with
 * an {@code id}, which is also the id of its downstream exchange.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(HttpInterfaceApplication.Relay.class)
class HttpInterfaceApplication {

	@Bean
	Downstream downstream(RestClient.Builder builder) {
		RestClient client = builder.baseUrl(DownstreamServer.shared().uri("/").toString()).build();
		return HttpServiceProxyFactory.builderFor(RestClientAdapter.create(client))
			.build()
			.createClient(Downstream.class);
	}

	/**
	 * The downstream server, as an HTTP interface.
	 */
	@HttpExchange
	interface Downstream {

		@GetExchange("/fast")
		String fast(@RequestParam String id);

		@GetExchange("/stall")
		String stall(@RequestParam String id);

		@GetExchange("/stall-body")
		String stallBody(@RequestParam String id);

	}

	@RestController
	static class Relay {

		private final Downstream downstream;

		Relay(Downstream downstream) {
			this.downstream = downstream;
		}

		@GetMapping("/interface")
		@Nullable String call(@RequestParam String id, @RequestParam String path) {
			ScopeEnds.track(id);
			return HandlerFailures.record(id, () -> switch (path) {
				case "stall" -> this.downstream.stall(id);
				case "stall-body" -> this.downstream.stallBody(id);
				default -> this.downstream.fast(id);
			});
		}

	}

}
