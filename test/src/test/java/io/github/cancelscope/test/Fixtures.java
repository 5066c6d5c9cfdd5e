package io.github.cancelscope.test;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs a test class the way a project's build would, and starts the threads that the leak tests
 * leak.
 */
public final class Fixtures {

	private Fixtures() {
	}

	public static TestExecutionSummary run(Class<?> testClass) {
		return run(testClass, Map.of());
	}

	public static TestExecutionSummary run(Class<?> testClass, Map<String, String> configuration) {
		SummaryGeneratingListener listener = new SummaryGeneratingListener();
		LauncherFactory.create()
			.execute(LauncherDiscoveryRequestBuilder.request()
				.selectors(selectClass(testClass))
				.configurationParameters(configuration)
				.build(), listener);
		return listener.getSummary();
	}

	public static String failureMessage(TestExecutionSummary summary) {
		if (summary.getFailures().size() != 1) {
			throw new AssertionError("Expected one failure, got " + summary.getFailures().size() + ": "
					+ summary.getFailures().stream().map((failure) -> String.valueOf(failure.getException())).toList());
		}
		Throwable failure = summary.getFailures().get(0).getException();
		if (!(failure instanceof AssertionError)) {
			throw new AssertionError("Expected an AssertionError, got " + failure, failure);
		}
		return failure.getMessage();
	}

	/**
	 * Starts a platform thread that waits for the latch, as code that forgets a thread would.
	 */
	public static Thread platformThread(String name, CountDownLatch release) {
		Thread thread = new Thread(() -> awaitRelease(release), name);
		thread.setDaemon(true);
		thread.start();
		return waiting(thread);
	}

	/**
	 * Starts a virtual thread (Java 21+) that waits for the latch. Compiled for Java 17, so found
	 * reflectively.
	 */
	public static Thread virtualThread(String name, CountDownLatch release) {
		Thread thread;
		try {
			Object builder = MethodHandles.publicLookup()
				.findStatic(Thread.class, "ofVirtual", MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual")))
				.invoke();
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			builder = builderType.getMethod("name", String.class).invoke(builder, name);
			Runnable task = () -> awaitRelease(release);
			thread = (Thread) builderType.getMethod("start", Runnable.class).invoke(builder, task);
		}
		catch (Throwable ex) {
			throw new IllegalStateException("Virtual threads need Java 21 or later", ex);
		}
		return waiting(thread);
	}

	/**
	 * Returns the thread once it waits for its release (or has ended), so that its stack shows where
	 * it waits.
	 */
	private static Thread waiting(Thread thread) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.TERMINATED) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Thread " + thread.getName() + " never began to wait");
			}
			Thread.onSpinWait();
		}
		return thread;
	}

	public static void awaitRelease(CountDownLatch release) {
		try {
			if (!release.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The test never released this thread");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	public static void end(Thread thread) throws InterruptedException {
		thread.join(TimeUnit.SECONDS.toMillis(30));
		if (thread.isAlive()) {
			throw new AssertionError("Thread " + thread.getName() + " did not end after its release");
		}
	}

}
