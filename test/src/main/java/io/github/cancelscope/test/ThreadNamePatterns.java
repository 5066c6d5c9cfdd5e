package io.github.cancelscope.test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Thread names that a {@link LeakCheck} ignores, as patterns in which {@code *} stands for any
 * text.
 */
final class ThreadNamePatterns {

	/**
	 * Threads that the JVM, build tools, pools, containers, drivers and cancelscope itself start
	 * once and keep: a test that happens to start them first has not leaked them. The common
	 * fork-join pool is not among them: its idle workers are never counted, a busy one runs work
	 * that escaped (a {@code CompletableFuture.runAsync}).
	 */
	static final List<String> DEFAULTS = List.of(
			// the JVM
			"Reference Handler", "Finalizer", "Signal Dispatcher", "Attach Listener", "Common-Cleaner",
			"Notification Thread", "process reaper", "Keep-Alive-Timer", "Keep-Alive-SocketCleaner",
			"ForkJoinPool-*-delayScheduler", "VirtualThread-unblocker",
			"MasterPoller", "SubPoller-*", "Read-Poller", "Write-Poller",
			"HttpClient-*-SelectorManager", "JFR *", "RMI *", "JMX server connection timeout *",
			// build and test tools
			"surefire-forkedjvm-*", "junit-jupiter-timeout-watcher", "awaitility-thread*",
			// pools, containers, drivers, logging
			"*:housekeeper", "*:connection-adder", "*:connection-closer", "*-Acceptor", "*-Poller",
			"Catalina-utility-*", "container-*", "qtp*", "Scheduler-*", "Connector-Scheduler-*",
			"PostgreSQL-JDBC-*", "H2 *", "MVStore *", "log:pid(*", "AsyncAppender-Worker-*", "background-preinit",
			"reactor-http-*", "globalEventExecutor-*",
			// grpc-java's shared event loops and timer
			"grpc-default-worker-*", "grpc-default-boss-*", "grpc-nio-*", "grpc-timer-*", "grpc-shared-destroyer-*",
			// cancelscope's own long-lived threads (forks are not among them)
			"cancelscope-deadlines", "cancelscope-expiry-*", "cancelscope-statement-cancel-*",
			"cancelscope-disconnect-*", "cancelscope-shutdown", "cancelscope-grpc-cancel");

	private final List<String> patterns;

	private final List<Pattern> compiled;

	ThreadNamePatterns(Collection<String> patterns) {
		this.patterns = List.copyOf(patterns);
		this.compiled = new ArrayList<>(patterns.size());
		for (String pattern : patterns) {
			this.compiled.add(compile(pattern));
		}
	}

	ThreadNamePatterns and(Collection<String> more) {
		List<String> all = new ArrayList<>(this.patterns);
		all.addAll(more);
		return new ThreadNamePatterns(all);
	}

	boolean matches(String threadName) {
		for (Pattern pattern : this.compiled) {
			if (pattern.matcher(threadName).matches()) {
				return true;
			}
		}
		return false;
	}

	List<String> patterns() {
		return this.patterns;
	}

	private static Pattern compile(String pattern) {
		if (pattern.isBlank()) {
			throw new IllegalArgumentException("A thread name pattern must not be blank; use '*' for any text");
		}
		String[] parts = pattern.split("\\*", -1);
		StringBuilder regex = new StringBuilder(Pattern.quote(parts[0]));
		for (int i = 1; i < parts.length; i++) {
			regex.append(".*").append(Pattern.quote(parts[i]));
		}
		return Pattern.compile(regex.toString(), Pattern.DOTALL);
	}

}
