package io.github.cancelscope;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Threads for tests that run on Java 17 and later. Platform threads are plain {@link Thread}s;
 * virtual threads (Java 21 and later) are made through {@code Thread.ofVirtual()}, looked up at run
 * time, since the tests compile for Java 17. A test that needs a virtual thread is annotated
 * {@code @EnabledForJreRange(min = JRE.JAVA_21)}.
 */
public final class TestThreads {

	// Thread.Builder.OfVirtual Thread.ofVirtual(), and on the builder name(String) and start(Runnable)
	private static final @Nullable MethodHandle OF_VIRTUAL;

	private static final @Nullable MethodHandle NAME;

	private static final @Nullable MethodHandle START;

	private static final @Nullable MethodHandle IS_VIRTUAL;

	static {
		MethodHandles.Lookup lookup = MethodHandles.publicLookup();
		MethodHandle ofVirtual = null;
		MethodHandle name = null;
		MethodHandle start = null;
		MethodHandle isVirtual = null;
		try {
			Class<?> builder = Class.forName("java.lang.Thread$Builder");
			Class<?> ofVirtualType = Class.forName("java.lang.Thread$Builder$OfVirtual");
			ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualType));
			name = lookup.findVirtual(ofVirtualType, "name", MethodType.methodType(ofVirtualType, String.class));
			start = lookup.findVirtual(builder, "start", MethodType.methodType(Thread.class, Runnable.class));
			isVirtual = lookup.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
		}
		catch (ClassNotFoundException | NoSuchMethodException ex) {
			// Java 17 to 20: no virtual threads
		}
		catch (IllegalAccessException ex) {
			throw new ExceptionInInitializerError(ex);
		}
		OF_VIRTUAL = ofVirtual;
		NAME = name;
		START = start;
		IS_VIRTUAL = isVirtual;
	}

	private TestThreads() {
	}

	/**
	 * Starts {@code task} on a new platform thread.
	 */
	public static Thread start(Runnable task) {
		Thread thread = new Thread(task);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	/**
	 * Returns a factory of named daemon platform threads: {@code prefix} and a number.
	 */
	public static ThreadFactory daemons(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.getAndIncrement());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Returns whether the forks of {@code scope} run each on a thread that ends with the task (a
	 * virtual thread), rather than on a pooled platform thread that goes on to the next task.
	 */
	public static boolean forkThreadsEndWithTasks(RequestScope scope) {
		return ((DefaultScope) scope).forkThreads().threadEndsWithTask();
	}

	/**
	 * Returns whether this JVM has virtual threads (Java 21 and later).
	 */
	public static boolean haveVirtualThreads() {
		return OF_VIRTUAL != null;
	}

	/**
	 * Starts {@code task} on a new virtual thread. Only on Java 21 and later.
	 * @throws IllegalStateException on an older Java
	 */
	public static Thread startVirtual(String name, Runnable task) {
		if (OF_VIRTUAL == null || NAME == null || START == null) {
			throw new IllegalStateException("No virtual threads on Java " + Runtime.version().feature()
					+ ": annotate the test @EnabledForJreRange(min = JRE.JAVA_21)");
		}
		try {
			Object builder = NAME.invoke(OF_VIRTUAL.invoke(), name);
			return (Thread) START.invoke(builder, task);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Returns whether {@code thread} is a virtual thread; never on Java 17 to 20.
	 */
	public static boolean isVirtual(Thread thread) {
		if (IS_VIRTUAL == null) {
			return false;
		}
		try {
			return (boolean) IS_VIRTUAL.invoke(thread);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

}
