package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.web.servlet.ClientDisconnectWatch;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;

/**
 * The {@link ClientDisconnectWatch} of an application's own embedded Tomcat or Jetty. When the web
 * server has started it works out how to reach the server's connections and starts the
 * {@link ConnectionWatcher}; a server, connector or container version it cannot reach switches it
 * off with one warning that says why, and requests go on exactly as without it.
 */
final class ContainerDisconnectWatch
		implements ClientDisconnectWatch, ApplicationListener<WebServerInitializedEvent>, ApplicationContextAware,
		DisposableBean {

	private static final Log logger = LogFactory.getLog(ContainerDisconnectWatch.class);

	private final Duration grace;

	private final Function<WebServer, ServerConnections> inspector;

	private @Nullable ApplicationContext applicationContext;

	private volatile @Nullable ConnectionLocator locator;

	private volatile @Nullable ConnectionWatcher watcher;

	/**
	 * Creates a watch of the application's web server.
	 * @param grace how long a request runs before its connection is watched
	 * @param inspector works out how to reach a started server's connections; throws
	 * {@link UnwatchableServerException} if it cannot
	 */
	ContainerDisconnectWatch(Duration grace, Function<WebServer, ServerConnections> inspector) {
		this.grace = grace;
		this.inspector = inspector;
	}

	@Override
	public void setApplicationContext(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		if (event.getApplicationContext() != this.applicationContext || this.watcher != null) {
			return;
		}
		ServerConnections connections;
		try {
			connections = this.inspector.apply(event.getWebServer());
		}
		catch (RuntimeException | LinkageError ex) {
			logger.warn("Client disconnects will not cancel request scopes: " + reason(ex));
			return;
		}
		try {
			this.watcher = new ConnectionWatcher(this.grace);
		}
		catch (IOException ex) {
			logger.warn("Client disconnects will not cancel request scopes: no selector could be opened (" + ex + ")");
			return;
		}
		this.locator = connections.locator();
		if (!connections.unwatched().isEmpty()) {
			logger.warn("Client disconnects will not cancel request scopes on every connection: "
					+ String.join("; ", connections.unwatched()));
		}
	}

	private static String reason(Throwable ex) {
		return (ex instanceof UnwatchableServerException) ? ex.getMessage() : ex.toString();
	}

	@Override
	public Watch watch(HttpServletRequest request, HttpServletResponse response, CancellableScope scope) {
		ConnectionLocator locator = this.locator;
		ConnectionWatcher watcher = this.watcher;
		if (locator == null || watcher == null) {
			return Watch.NONE;
		}
		ClientConnection connection;
		try {
			connection = locator.locate(request);
		}
		catch (RuntimeException | LinkageError ex) {
			switchOff(ex);
			return Watch.NONE;
		}
		return (connection != null) ? watcher.watch(connection, scope) : Watch.NONE;
	}

	private synchronized void switchOff(Throwable ex) {
		if (this.locator != null) {
			this.locator = null;
			logger.warn("Client disconnects will no longer cancel request scopes: a request's connection could not "
					+ "be reached (" + ex + ")");
		}
	}

	/**
	 * How many connections the watcher selects on now, for diagnostics; -1 if it is off.
	 */
	int selectedConnections() {
		ConnectionWatcher watcher = this.watcher;
		return (watcher != null && this.locator != null) ? watcher.selectedConnections() : -1;
	}

	@Override
	public void destroy() {
		this.locator = null;
		ConnectionWatcher watcher = this.watcher;
		if (watcher != null) {
			watcher.close();
		}
	}

}
