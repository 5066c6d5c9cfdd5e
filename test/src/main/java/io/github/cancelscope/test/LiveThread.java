package io.github.cancelscope.test;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * One thread seen in a dump: its identity, its stack as text (innermost frame first, as the JDK
 * prints it) and, on Java 21 and later, the thread container it belongs to.
 */
final class LiveThread {

	// frames a pooled thread waits in for its next task: such a thread does no work for anyone
	private static final Set<String> IDLE_WAITS = Set.of("java.util.concurrent.ThreadPoolExecutor.getTask",
			"org.apache.tomcat.util.threads.ThreadPoolExecutor.getTask", "java.util.concurrent.ForkJoinPool.awaitWork",
			"org.eclipse.jetty.util.thread.QueuedThreadPool$Runner.idleJobPoll");

	private final long id;

	private final String name;

	private final boolean virtual;

	private final String state;

	private final @Nullable String container;

	private final List<String> stack;

	private final boolean jdkInternal;

	LiveThread(long id, String name, boolean virtual, String state, @Nullable String container, List<String> stack,
			boolean jdkInternal) {
		this.id = id;
		this.name = name;
		this.virtual = virtual;
		this.state = state;
		this.container = container;
		this.stack = List.copyOf(stack);
		this.jdkInternal = jdkInternal;
	}

	long id() {
		return this.id;
	}

	String name() {
		return this.name;
	}

	boolean virtual() {
		return this.virtual;
	}

	String state() {
		return this.state;
	}

	@Nullable String container() {
		return this.container;
	}

	List<String> stack() {
		return this.stack;
	}

	/**
	 * Returns whether the JDK runs this thread for itself (a virtual thread's carrier, the cleaner).
	 */
	boolean jdkInternal() {
		return this.jdkInternal;
	}

	/**
	 * Returns whether the thread waits in a pool for its next task.
	 */
	boolean idleInPool() {
		for (String frame : this.stack) {
			if (IDLE_WAITS.contains(method(frame))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Returns how a report names the thread: {@code "worker-1" #31 (platform, RUNNABLE)}, or
	 * {@code #57 (virtual, WAITING)} for a thread without a name.
	 */
	String describe() {
		StringBuilder description = new StringBuilder();
		if (!this.name.isEmpty()) {
			description.append('"').append(this.name).append("\" ");
		}
		description.append('#').append(this.id);
		description.append(this.virtual ? " (virtual" : " (platform");
		if (!this.state.isEmpty()) {
			description.append(", ").append(this.state);
		}
		description.append(')');
		return description.toString();
	}

	// "java.base/java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:1070)"
	// -> "java.util.concurrent.ThreadPoolExecutor.getTask"
	private static String method(String frame) {
		int end = frame.indexOf('(');
		String method = (end >= 0) ? frame.substring(0, end) : frame;
		int module = method.indexOf('/');
		return (module >= 0) ? method.substring(module + 1) : method;
	}

}
