package io.github.cancelscope.sample.lifecycle;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * A lifecycle bean that is slow to start, on with {@code --sample.lifecycle-start-delay=10s}: a
 * message listener container or a cache warmer that starts after the web server, in the last phase,
 * so that requests are served before the application has started.
 */
@Component
@ConditionalOnProperty("sample.lifecycle-start-delay")
class SlowLifecycleStart implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(SlowLifecycleStart.class);

	private final Duration delay;

	private volatile boolean running;

	SlowLifecycleStart(@Value("${sample.lifecycle-start-delay}") Duration delay) {
		this.delay = delay;
	}

	@Override
	public void start() {
		logger.info("lifecycle start began");
		try {
			Thread.sleep(this.delay);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			logger.info("lifecycle start interrupted");
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
