package io.github.cancelscope.autoconfigure.escape;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Finds a live thread by id with its stack. Platform threads through the {@link ThreadMXBean}, one
 * thread at a time; virtual threads (Java 21 and later) through the JDK's JSON thread dump
 * ({@code HotSpotDiagnosticMXBean.dumpThreads}), the only API that lists them, which is taken at
 * most once per check.
 */
final class LiveThreadLookup {

	private static final String DIAGNOSTIC_BEAN = "com.sun.management.HotSpotDiagnosticMXBean";

	private static final int MAX_DEPTH = 64;

	private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

	private final @Nullable Method dumpThreads;

	private final @Nullable Object diagnostics;

	private final @Nullable Object jsonFormat;

	@SuppressWarnings({ "unchecked", "rawtypes" })
	LiveThreadLookup() {
		Method dumpThreads = null;
		Object diagnostics = null;
		Object jsonFormat = null;
		if (Runtime.version().feature() >= 21) {
			try {
				Class<? extends PlatformManagedObject> beanType = Class.forName(DIAGNOSTIC_BEAN)
					.asSubclass(PlatformManagedObject.class);
				Class<? extends Enum> formatType = Class.forName(DIAGNOSTIC_BEAN + "$ThreadDumpFormat")
					.asSubclass(Enum.class);
				diagnostics = ManagementFactory.getPlatformMXBean(beanType);
				dumpThreads = beanType.getMethod("dumpThreads", String.class, formatType);
				jsonFormat = Enum.valueOf(formatType, "JSON");
			}
			catch (ReflectiveOperationException | LinkageError | RuntimeException ex) {
				dumpThreads = null;
			}
		}
		this.dumpThreads = dumpThreads;
		this.diagnostics = diagnostics;
		this.jsonFormat = jsonFormat;
	}

	/**
	 * Returns whether virtual threads can be looked up.
	 */
	boolean seesVirtualThreads() {
		return this.dumpThreads != null;
	}

	/**
	 * Returns the live platform thread with this id, or {@code null}.
	 */
	@Nullable Found platform(long id) {
		ThreadInfo info = this.threads.getThreadInfo(id, MAX_DEPTH);
		if (info == null) {
			return null;
		}
		List<String> stack = new ArrayList<>();
		for (StackTraceElement frame : info.getStackTrace()) {
			stack.add(frame.toString());
		}
		return new Found(id, info.getThreadName(), info.getThreadState().name(), stack);
	}

	/**
	 * Returns those of these threads that are alive, by id, from one thread dump.
	 */
	@SuppressWarnings("unchecked")
	Map<Long, Found> virtual(Collection<Long> ids) {
		Map<Long, Found> found = new HashMap<>();
		if (this.dumpThreads == null || ids.isEmpty()) {
			return found;
		}
		Map<String, Object> root = (Map<String, Object>) ((Map<String, Object>) Json.parse(dumpJson()))
			.get("threadDump");
		for (Object entry : (List<Object>) root.get("threadContainers")) {
			for (Object item : (List<Object>) ((Map<String, Object>) entry).get("threads")) {
				Map<String, Object> thread = (Map<String, Object>) item;
				long id = Long.parseLong((String) thread.get("tid"));
				if (ids.contains(id)) {
					List<String> stack = new ArrayList<>();
					for (Object frame : (List<Object>) thread.get("stack")) {
						stack.add((String) frame);
					}
					Object state = thread.get("state");
					found.put(id, new Found(id, String.valueOf(thread.get("name")),
							(state instanceof String text) ? text : "", stack));
				}
			}
		}
		return found;
	}

	private String dumpJson() {
		Path file = null;
		try {
			Path folder = Files.createTempDirectory("cancelscope-escaped");
			file = folder.resolve("threads.json");
			this.dumpThreads.invoke(this.diagnostics, file.toAbsolutePath().toString(), this.jsonFormat);
			return Files.readString(file);
		}
		catch (IOException | ReflectiveOperationException ex) {
			throw new IllegalStateException("Could not take a thread dump of this JVM", ex);
		}
		finally {
			if (file != null) {
				try {
					Files.deleteIfExists(file);
					Files.deleteIfExists(file.getParent());
				}
				catch (IOException ex) {
					// a file left in the temp folder is harmless
				}
			}
		}
	}

	/**
	 * A live thread.
	 */
	record Found(long id, String name, String state, List<String> stack) {
	}

}
