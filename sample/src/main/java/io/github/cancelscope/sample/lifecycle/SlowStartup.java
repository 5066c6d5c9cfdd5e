package io.github.cancelscope.sample.lifecycle;

import java.time.Duration;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.sample.WorkLog;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * A slow start-up step, on with {@code --sample.startup-delay=10s}. With cancelscope, Ctrl-C during
 * it stops it at once and its cleanup runs.
 */
@Component
@ConditionalOnProperty("sample.startup-delay")
class SlowStartup implements ApplicationRunner {

	private final Duration delay;

	private final WorkLog work;

	SlowStartup(@Value("${sample.startup-delay}") Duration delay, WorkLog work) {
		this.delay = delay;
		this.work = work;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		RequestScope.find().ifPresent((scope) -> scope.defer(() -> this.work.cleanupRan("startup")));
		this.work.track("startup", () -> {
			Thread.sleep(this.delay);
			return null;
		});
	}

}
