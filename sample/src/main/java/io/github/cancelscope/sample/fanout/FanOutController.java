package io.github.cancelscope.sample.fanout;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import io.github.cancelscope.sample.Parallel;
import io.github.cancelscope.sample.WorkLog;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Failure mode 1, abandoned fan-out: a page built from three parallel calls, one of which fails
 * ({@code ?fail=true}) or overruns the request's deadline ({@code ?overrun=true}).
 * <p>
 * With cancelscope, the other calls stop as soon as one fails or the deadline passes: {@code GET /work}
 * shows nothing running. Without it, they run on for nobody.
 */
@RestController
class FanOutController {

	private final Parallel parallel;

	private final WorkLog work;

	FanOutController(Parallel parallel, WorkLog work) {
		this.parallel = parallel;
		this.work = work;
	}

	@GetMapping("/fanout")
	Map<String, String> fanOut(@RequestParam(defaultValue = "false") boolean fail,
			@RequestParam(defaultValue = "false") boolean overrun) {
		Supplier<String> profile = this.parallel.fork(() -> this.work.track("profile", () -> {
			Thread.sleep(100);
			return "Ada Lovelace";
		}));
		Supplier<String> recommendations = this.parallel.fork(() -> this.work.track("recommendations", () -> {
			Thread.sleep(300);
			if (fail) {
				throw new RecommendationsUnavailableException();
			}
			return "3 books";
		}));
		Supplier<String> inventory = this.parallel.fork(() -> this.work.track("inventory", () -> {
			Thread.sleep(overrun ? Duration.ofSeconds(10) : Duration.ofMillis(200));
			return "in stock";
		}));
		return Map.of("profile", profile.get(), "recommendations", recommendations.get(), "inventory",
				inventory.get());
	}

	@ResponseStatus(value = HttpStatus.BAD_GATEWAY, reason = "Recommendations are unavailable")
	static class RecommendationsUnavailableException extends RuntimeException {

		RecommendationsUnavailableException() {
			super("recommendation service failed");
		}

	}

}
