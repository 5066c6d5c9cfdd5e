package io.github.cancelscope.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Ends the application's work when the context closes (SIGTERM, Ctrl-C, {@code SpringApplication.exit}):
 * start-up work is cancelled at once; requests get the shutdown grace to finish, and what is still
 * running then is cancelled with {@link CancellationReason#SHUTDOWN}, as is every scope opened
 * afterwards.
 * <p>
 * It stops in the same phase as Spring Boot's graceful shutdown of the web server, so both run
 * side by side: the server stops taking new requests while in-flight ones finish or are cancelled.
 * <p>
 * The web server answers requests before the application has started (lifecycle beans of later
 * phases, runners). Spring's shutdown hook waits for a start under way to end, and then either
 * closes the context or gives it up, destroying its beans without stopping them. So a context
 * destroyed without having been shut down (given up, or a start-up that failed) has its work
 * cancelled at once, and the shutdown also runs as a Spring Boot shutdown handler, which the hook
 * runs before the JVM halts, so that the work ends and its cleanups run first.
 */
final class ApplicationScopeShutdown
		implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, DisposableBean {

	/** Phase of Spring Boot's {@code WebServerGracefulShutdownLifecycle}. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private static final long IDLE_POLL_MILLIS = 5;

	private static final Log logger = LogFactory.getLog(ApplicationScopeShutdown.class);

	private final CancellableScope applicationScope;

	private final Duration grace;

	private final Duration closeTimeout;

	private volatile boolean running;

	private volatile boolean closing;

	private final AtomicBoolean shutDown = new AtomicBoolean();

	private final Runnable jvmShutdown = this::jvmShuttingDown;

	ApplicationScopeShutdown(CancellableScope applicationScope, Duration grace, Duration closeTimeout) {
		this.applicationScope = applicationScope;
		this.grace = grace;
		this.closeTimeout = closeTimeout;
		try {
			SpringApplication.getShutdownHandlers().add(this.jvmShutdown);
		}
		catch (IllegalStateException ex) {
			// created while the JVM shuts down: its hook has taken its handlers already
		}
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		// published before the lifecycle stops; a plain stop() (context.stop(), a checkpoint) is
		// no shutdown and must not cancel the application scope for good
		this.closing = true;
	}

	@Override
	public void stop() {
		shutDown();
	}

	@Override
	public void stop(Runnable callback) {
		// a thread of its own, so that the other lifecycles of this phase (the web server's graceful
		// shutdown) stop meanwhile; no thread-locals of the closing thread
		Thread thread = new Thread(null, () -> {
			try {
				shutDown();
			}
			finally {
				callback.run();
			}
		}, "cancelscope-shutdown", 0, false);
		thread.setDaemon(true);
		thread.start();
	}

	/**
	 * Run by Spring Boot's shutdown hook after it closed the context, or gave up on one that was
	 * still starting; does nothing if the context was shut down.
	 */
	private void jvmShuttingDown() {
		this.closing = true;
		shutDown();
	}

	@Override
	public void destroy() {
		try {
			SpringApplication.getShutdownHandlers().remove(this.jvmShutdown);
		}
		catch (IllegalStateException ex) {
			// destroyed by the shutdown hook, which has taken its handlers already
		}
		if (!this.shutDown.get()) {
			// destroyed without a shutdown: the start-up failed or was given up
			this.applicationScope.cancel(CancellationReason.SHUTDOWN);
		}
	}

	private void shutDown() {
		this.running = false;
		if (!this.closing || !this.shutDown.compareAndSet(false, true)) {
			return;
		}
		for (CancellableScope scope : this.applicationScope.children()) {
			if (scope.kind().equals(ScopeOptions.STARTUP)) {
				scope.cancel(CancellationReason.SHUTDOWN);
			}
		}
		try {
			if (!awaitIdle(this.grace) && logger.isInfoEnabled()) {
				logger.info("Cancelling " + this.applicationScope.children().size() + " scope(s) still running "
						+ this.grace.toMillis() + " ms after shutdown began");
			}
			this.applicationScope.cancel(CancellationReason.SHUTDOWN);
			awaitIdle(this.closeTimeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.applicationScope.cancel(CancellationReason.SHUTDOWN);
		}
	}

	/**
	 * Waits until the application scope has no child open, or the timeout has passed. It polls:
	 * shutdown is rare, and a request that ends pays nothing to be awaited.
	 */
	private boolean awaitIdle(Duration timeout) throws InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		while (!this.applicationScope.children().isEmpty()) {
			if (System.nanoTime() - end >= 0) {
				return false;
			}
			Thread.sleep(IDLE_POLL_MILLIS);
		}
		return true;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
