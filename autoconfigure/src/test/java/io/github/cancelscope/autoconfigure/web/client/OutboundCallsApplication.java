package io.github.cancelscope.autoconfigure.web.client;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.Subtask;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.HttpStatusCodeException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * A service whose handlers call the {@link DownstreamServer} and other services with the
 * {@code RestClient} and {@code RestTemplate} that Spring Boot builds.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(OutboundCallsApplication.OutboundController.class)
class OutboundCallsApplication {

	/** Deadline of the request scope of each handler call, by exchange id. */
	static final Map<String, Instant> deadlines = new ConcurrentHashMap<>();

	/** What a handler saw right after a call failed, by exchange id. */
	static final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();

	/**
	 * What a handler saw right after a call failed.
	 * @param interrupted whether its thread had its interrupt status set
	 * @param cancelled the cancellation found in the failure's cause chain
	 */
	record Outcome(boolean interrupted, @Nullable ScopeCancelledException cancelled) {

	}

	@RestController
	static class OutboundController {

		private final RestClient restClient;

		private final RestTemplate restTemplate;

		private final DownstreamServer downstream = DownstreamServer.shared();

		OutboundController(RestClient.Builder restClientBuilder, RestTemplateBuilder restTemplateBuilder) {
			this.restClient = restClientBuilder.build();
			this.restTemplate = restTemplateBuilder.build();
		}

		/**
		 * Forks two fast calls and one that stalls.
		 */
		@GetMapping("/fan-out")
		String fanOut(@RequestParam String id) {
			RequestScope scope = RequestScope.current();
			deadlines.put(id, scope.deadline().orElseThrow());
			Subtask<String> first = scope.fork(() -> get("/fast?id=" + id + "-1"));
			Subtask<String> second = scope.fork(() -> get("/fast?id=" + id + "-2"));
			Subtask<String> stalled = scope.fork(() -> get("/stall?id=" + id + "-3"));
			return first.join() + second.join() + stalled.join();
		}

		/**
		 * Forks two calls that stall and one that fails once the other two have arrived, and
		 * reports how each ended.
		 */
		@GetMapping("/siblings")
		String siblings(@RequestParam String id) {
			try (CancellableScope group = RequestScope.current().openChild()) {
				return group.call(() -> {
					RequestScope scope = RequestScope.current();
					List<Subtask<String>> calls = List.of(scope.fork(() -> get("/stall?id=" + id + "-1")),
							scope.fork(() -> get("/stall?id=" + id + "-2")),
							scope.fork(() -> get("/fail?id=" + id + "-3&after=" + id + "-1," + id + "-2")));
					List<String> ends = new ArrayList<>();
					for (Subtask<String> call : calls) {
						try {
							ends.add(call.join());
						}
						catch (ScopeCancelledException ex) {
							ends.add("cancelled " + ex.reason());
						}
						catch (HttpStatusCodeException ex) {
							ends.add("status " + ex.getStatusCode().value());
						}
					}
					return String.join(", ", ends) + "; interrupted " + Thread.currentThread().isInterrupted();
				});
			}
		}

		/**
		 * Calls the downstream server on the request thread.
		 */
		@GetMapping("/direct")
		@Nullable String direct(@RequestParam String id, @RequestParam String path, @RequestParam String client) {
			deadlines.put(id, RequestScope.current().deadline().orElseThrow());
			URI uri = this.downstream.uri("/" + path + "?id=" + id);
			try {
				return "rest-template".equals(client) ? this.restTemplate.getForObject(uri, String.class)
						: this.restClient.get().uri(uri).retrieve().body(String.class);
			}
			catch (RuntimeException ex) {
				boolean interrupted = Thread.currentThread().isInterrupted();
				outcomes.put(id, new Outcome(interrupted, ScopeCancelledException.findIn(ex)));
				throw ex;
			}
		}

		/**
		 * Posts {@code size} bytes to {@code uri} on the request thread, with the RestClient or the
		 * RestTemplate.
		 */
		@GetMapping("/post")
		@Nullable String post(@RequestParam URI uri, @RequestParam int size, @RequestParam String client) {
			byte[] body = new byte[size];
			return "rest-template".equals(client) ? this.restTemplate.postForObject(uri, body, String.class)
					: this.restClient.post().uri(uri).body(body).retrieve().body(String.class);
		}

		/**
		 * Calls the downstream server in a scope cancelled beforehand.
		 */
		@GetMapping("/pre-cancelled")
		String preCancelled(@RequestParam String id) {
			try (CancellableScope scope = RequestScope.current().openChild()) {
				scope.cancel(CancellationReason.CANCELLED);
				return scope.call(() -> {
					try {
						return get("/fast?id=" + id);
					}
					catch (ScopeCancelledException ex) {
						return "cancelled " + ex.reason();
					}
				});
			}
		}

		/**
		 * Calls the downstream server, which records the request's headers.
		 */
		@GetMapping("/relay")
		@Nullable String relay(@RequestParam String id) {
			return get("/fast?id=" + id);
		}

		/**
		 * Answers the time remaining to this request's scope and the timeout header it came with,
		 * as {@code remaining/header}, each in milliseconds or {@code none}.
		 */
		@GetMapping("/remaining")
		String remaining(@RequestHeader(name = "X-Request-Timeout-Ms", defaultValue = "none") String header) {
			return remaining() + "/" + header;
		}

		/**
		 * Answers the time remaining to this request's scope, then what {@code /remaining} of the
		 * given service answers to a request sent from this scope.
		 */
		@GetMapping("/propagate")
		String propagate(@RequestParam URI service) {
			String mine = remaining();
			String theirs = this.restClient.get().uri(service.resolve("/remaining")).retrieve().body(String.class);
			return mine + " " + theirs;
		}

		private String remaining() {
			return RequestScope.current().remaining().map((remaining) -> Long.toString(remaining.toMillis()))
				.orElse("none");
		}

		private @Nullable String get(String pathAndQuery) {
			return this.restClient.get().uri(this.downstream.uri(pathAndQuery)).retrieve().body(String.class);
		}

	}

}
