package io.github.cancelscope.sample.dashboard;

import java.time.Duration;

import io.github.cancelscope.sample.Parallel;
import io.github.cancelscope.sample.WorkLog;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A slow upstream service for the dashboard: user and settings answer in 50 ms, notifications
 * stall for 30 s. Its work shows in {@code GET /work} as "upstream ...".
 */
@RestController
class UpstreamController {

	private final Parallel parallel;

	private final WorkLog work;

	UpstreamController(Parallel parallel, WorkLog work) {
		this.parallel = parallel;
		this.work = work;
	}

	@GetMapping("/upstream/{what}")
	String upstream(@PathVariable String what) {
		Duration delay = what.equals("notifications") ? Duration.ofSeconds(30) : Duration.ofMillis(50);
		return this.parallel.fork(() -> this.work.track("upstream " + what, () -> {
			Thread.sleep(delay);
			return what + " of Ada";
		})).get();
	}

}
