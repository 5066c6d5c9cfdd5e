package io.github.cancelscope.sample.lifecycle;

import java.time.Duration;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.sample.Parallel;
import io.github.cancelscope.sample.WorkLog;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Failure mode 3, port still bound: a slow endpoint to press Ctrl-C against. With cancelscope, a
 * request still running when the shutdown grace ends is cancelled, its cleanup runs and the process
 * exits; without it, shutdown waits for the work (or the JVM halts it mid-way, cleanups unrun).
 */
@RestController
class SlowController {

	private final Parallel parallel;

	private final WorkLog work;

	SlowController(Parallel parallel, WorkLog work) {
		this.parallel = parallel;
		this.work = work;
	}

	@GetMapping("/slow")
	String slow(@RequestParam(defaultValue = "30s") Duration duration, @RequestParam(defaultValue = "slow") String name) {
		RequestScope.find().ifPresent((scope) -> scope.defer(() -> this.work.cleanupRan(name)));
		return this.parallel.fork(() -> this.work.track(name, () -> {
			Thread.sleep(duration);
			return name + " done after " + duration.toMillis() + " ms";
		})).get();
	}

}
