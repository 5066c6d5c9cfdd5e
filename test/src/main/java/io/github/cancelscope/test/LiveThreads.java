package io.github.cancelscope.test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Lists the threads of this JVM. On Java 21 and later it reads the JDK's JSON thread dump
 * ({@code HotSpotDiagnosticMXBean.dumpThreads}), which lists virtual threads too, by thread
 * container; {@link Thread#getAllStackTraces()} omits them. On Java 17, which has no virtual threads,
 * or where the dump is not available, it lists the platform threads.
 */
final class LiveThreads {

	private static final String DIAGNOSTIC_BEAN = "com.sun.management.HotSpotDiagnosticMXBean";

	private final @Nullable Method dumpThreads;

	private final @Nullable Object diagnostics;

	private final @Nullable Object jsonFormat;

	private LiveThreads(@Nullable Method dumpThreads, @Nullable Object diagnostics, @Nullable Object jsonFormat) {
		this.dumpThreads = dumpThreads;
		this.diagnostics = diagnostics;
		this.jsonFormat = jsonFormat;
	}

	/**
	 * Returns the lister for this JVM: the JSON dump where it exists (Java 21+), otherwise the
	 * platform threads.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static LiveThreads forThisJvm() {
		if (Runtime.version().feature() < 21) {
			return new LiveThreads(null, null, null);
		}
		try {
			Class<? extends PlatformManagedObject> beanType = Class.forName(DIAGNOSTIC_BEAN)
				.asSubclass(PlatformManagedObject.class);
			Class<? extends Enum> formatType = Class.forName(DIAGNOSTIC_BEAN + "$ThreadDumpFormat").asSubclass(Enum.class);
			Object diagnostics = ManagementFactory.getPlatformMXBean(beanType);
			Method dumpThreads = beanType.getMethod("dumpThreads", String.class, formatType);
			return new LiveThreads(dumpThreads, diagnostics, Enum.valueOf(formatType, "JSON"));
		}
		catch (ReflectiveOperationException | LinkageError | RuntimeException ex) {
			return new LiveThreads(null, null, null);
		}
	}

	/**
	 * Returns whether virtual threads are listed as well.
	 */
	boolean seesVirtualThreads() {
		return this.dumpThreads != null;
	}

	/**
	 * Returns the threads alive now.
	 */
	List<LiveThread> list() {
		if (this.dumpThreads == null) {
			Map<Thread, StackTraceElement[]> platform = Thread.getAllStackTraces();
			List<LiveThread> threads = new ArrayList<>(platform.size());
			platform.forEach((thread, stack) -> threads.add(new LiveThread(thread.getId(), thread.getName(), false,
					thread.getState().name(), null, frames(stack), isJdkInternal(thread))));
			return threads;
		}
		// dump first: a thread missing from the later platform list has ended or is virtual
		String json = dumpJson();
		Map<Long, Thread> platformById = new HashMap<>();
		Thread.getAllStackTraces().keySet().forEach((thread) -> platformById.put(thread.getId(), thread));
		return fromJson(Json.parse(json), platformById);
	}

	private String dumpJson() {
		Path file = null;
		try {
			Path folder = Files.createTempDirectory("cancelscope-threads");
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

	@SuppressWarnings("unchecked")
	private static List<LiveThread> fromJson(@Nullable Object dump, Map<Long, Thread> platformById) {
		List<LiveThread> threads = new ArrayList<>();
		Map<String, Object> root = (Map<String, Object>) ((Map<String, Object>) dump).get("threadDump");
		for (Object entry : (List<Object>) root.get("threadContainers")) {
			Map<String, Object> container = (Map<String, Object>) entry;
			String containerName = (String) container.get("container");
			for (Object item : (List<Object>) container.get("threads")) {
				Map<String, Object> thread = (Map<String, Object>) item;
				long id = Long.parseLong((String) thread.get("tid"));
				Thread platformThread = platformById.get(id);
				// Java 25 marks virtual threads, Java 21 does not: there a thread that is not a platform thread is
				// virtual (or has just ended)
				boolean virtual = "true".equals(thread.get("virtual")) || (platformThread == null);
				String state = (thread.get("state") instanceof String string) ? string
						: (platformThread != null) ? platformThread.getState().name() : "";
				List<String> stack = new ArrayList<>();
				for (Object frame : (List<Object>) thread.get("stack")) {
					stack.add((String) frame);
				}
				threads.add(new LiveThread(id, String.valueOf(thread.get("name")), virtual, state,
						"<root>".equals(containerName) ? null : containerName, stack,
						platformThread != null && isJdkInternal(platformThread)));
			}
		}
		return threads;
	}

	private static List<String> frames(StackTraceElement[] stack) {
		List<String> frames = new ArrayList<>(stack.length);
		for (StackTraceElement frame : stack) {
			// as the JSON dump writes a frame: no class loader name, no module version
			String module = (frame.getModuleName() != null) ? frame.getModuleName() + "/" : "";
			String location = frame.isNativeMethod() ? "Native Method"
					: (frame.getFileName() == null) ? "Unknown Source"
							: (frame.getLineNumber() >= 0) ? frame.getFileName() + ":" + frame.getLineNumber()
									: frame.getFileName();
			frames.add(module + frame.getClassName() + "." + frame.getMethodName() + "(" + location + ")");
		}
		return frames;
	}

	private static boolean isJdkInternal(Thread thread) {
		String type = thread.getClass().getName();
		return type.equals("jdk.internal.misc.CarrierThread") || type.equals("jdk.internal.misc.InnocuousThread");
	}

}
