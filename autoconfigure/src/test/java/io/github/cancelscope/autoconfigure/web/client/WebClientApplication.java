package io.github.cancelscope.autoconfigure.web.client;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.autoconfigure.HandlerFailures;
import io.github.cancelscope.autoconfigure.ScopeEnds;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A servlet service whose handlers call the {@link DownstreamServer} with the {@code WebClient}
 * that Spring Boot's builder makes, blocking on each call. Each request names itself with an
 * {@code id}, which is also the id of its downstream exchange.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(WebClientApplication.Blocking.class)
class WebClientApplication {

	@RestController
	static class Blocking {

		private final WebClient webClient;

		private final DownstreamServer downstream = DownstreamServer.shared();

		Blocking(WebClient.Builder builder) {
			this.webClient = builder.build();
		}

		@GetMapping("/webclient")
		@Nullable String call(@RequestParam String id, @RequestParam String path) {
			ScopeEnds.track(id);
			return HandlerFailures.record(id, () -> get(id, path));
		}

		/**
		 * Calls the downstream server in a scope cancelled beforehand.
		 */
		@GetMapping("/webclient-pre-cancelled")
		@Nullable String preCancelled(@RequestParam String id) {
			try (CancellableScope scope = RequestScope.current().openChild()) {
				scope.cancel(CancellationReason.CANCELLED);
				return scope.call(() -> {
					try {
						return get(id, "fast");
					}
					catch (ScopeCancelledException ex) {
						return "cancelled " + ex.reason();
					}
				});
			}
		}

		private @Nullable String get(String id, String path) {
			return this.webClient.get()
				.uri(this.downstream.uri("/" + path + "?id=" + id))
				.retrieve()
				.bodyToMono(String.class)
				.block();
		}

	}

}
