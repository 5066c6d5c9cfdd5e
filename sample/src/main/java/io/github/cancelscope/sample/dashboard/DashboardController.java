package io.github.cancelscope.sample.dashboard;

import java.util.Map;
import java.util.function.Supplier;

import io.github.cancelscope.sample.Parallel;
import io.github.cancelscope.sample.WorkLog;

import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * The abandoned fan-out over HTTP: a dashboard fetches the user, the settings and the notifications
 * in parallel from an upstream service (the {@link UpstreamController}, served by this same
 * application), and the notifications stall for 30 s.
 * <p>
 * With cancelscope, when the request's deadline passes (504) or its client goes away
 * ({@code curl --max-time 1}), the stalled upstream call is aborted, the upstream sees its
 * connection close, and {@code GET /work} shows nothing running. Without it, both the call and the
 * upstream's work run on for 30 s.
 */
@RestController
class DashboardController {

	private final RestClient.Builder restClients;

	private final Environment environment;

	private final Parallel parallel;

	private final WorkLog work;

	DashboardController(RestClient.Builder restClients, Environment environment, Parallel parallel, WorkLog work) {
		this.restClients = restClients;
		this.environment = environment;
		this.parallel = parallel;
		this.work = work;
	}

	@GetMapping("/dashboard")
	Map<String, String> dashboard() {
		RestClient upstream = this.restClients
			.baseUrl("http://localhost:" + this.environment.getRequiredProperty("local.server.port") + "/upstream")
			.build();
		Supplier<String> user = this.parallel.fork(() -> call(upstream, "user"));
		Supplier<String> settings = this.parallel.fork(() -> call(upstream, "settings"));
		Supplier<String> notifications = this.parallel.fork(() -> call(upstream, "notifications"));
		return Map.of("user", user.get(), "settings", settings.get(), "notifications", notifications.get());
	}

	private String call(RestClient upstream, String what) throws Exception {
		return this.work.track("call to upstream " + what,
				() -> upstream.get().uri("/{what}", what).retrieve().body(String.class));
	}

}
