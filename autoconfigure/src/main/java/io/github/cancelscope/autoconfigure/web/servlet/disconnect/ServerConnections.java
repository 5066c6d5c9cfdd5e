package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.util.List;

import org.springframework.boot.web.server.WebServer;
import org.springframework.util.ClassUtils;

/**
 * What the watcher can reach of a web server: how to find a request's connection, and which of the
 * server's connections it cannot watch, each with the reason.
 *
 * @param locator finds a request's connection
 * @param unwatched the connections that are not watched and why, for the start-up warning
 */
record ServerConnections(ConnectionLocator locator, List<String> unwatched) {

	private static final String TOMCAT_WEB_SERVER = "org.springframework.boot.tomcat.TomcatWebServer";

	private static final String JETTY_WEB_SERVER = "org.springframework.boot.jetty.JettyWebServer";

	/**
	 * Inspects a started web server.
	 * @throws UnwatchableServerException if none of its connections can be watched
	 */
	static ServerConnections of(WebServer server) {
		ClassLoader classLoader = server.getClass().getClassLoader();
		if (isA(server, TOMCAT_WEB_SERVER, classLoader)) {
			return TomcatConnectionLocator.inspect(server);
		}
		if (isA(server, JETTY_WEB_SERVER, classLoader)) {
			return JettyConnectionLocator.inspect(server);
		}
		throw new UnwatchableServerException(
				"the web server " + server.getClass().getName() + " is not Tomcat or Jetty, the servers covered");
	}

	private static boolean isA(WebServer server, String className, ClassLoader classLoader) {
		return ClassUtils.isPresent(className, classLoader)
				&& ClassUtils.resolveClassName(className, classLoader).isInstance(server);
	}

}
