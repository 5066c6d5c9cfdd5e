package io.github.cancelscope.test;

import java.lang.reflect.Field;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.github.cancelscope.CancellableScope;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * A JUnit 5 extension that fails a test, with a report that names each leak, if work it started
 * outlives it: a thread started during the test and still running after a short grace (virtual
 * threads included, on Java 21 and later), and, for a test that also uses a
 * {@link RootScopeExtension}, forks and scopes left running under its root. Spring tests need no
 * extension: with cancelscope-test on the test classpath they are checked anyway.
 * {@snippet :
 * @ExtendWith(LeakCheckExtension.class)
 * class ReportWriterTests {
 *
 *     @Test
 *     void writesTheReport() {
 *         new ReportWriter().start(); // fails the test if its thread is still running after the grace
 *     }
 *
 * }
 * }
 * The check runs after the test's {@code @AfterEach} methods, so work that they end is not
 * reported, and not for a test that failed anyway. A test or class is exempted, entirely or for
 * some threads, with {@link AllowLeaks}. JUnit configuration parameters (for example in
 * {@code junit-platform.properties}) adjust every test: {@code cancelscope.test.leak-check.enabled},
 * {@code cancelscope.test.leak-check.grace} (a {@link Duration} such as {@code 2s} or
 * {@code PT2S}) and {@code cancelscope.test.leak-check.allowed-threads} (comma-separated thread
 * name patterns). A check built in code is given with
 * {@code @RegisterExtension LeakCheckExtension leaks = new LeakCheckExtension(LeakCheck.defaults()...)}.
 * <p>
 * Threads are counted for the whole JVM: do not run tests in parallel with this extension.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {

	/** Configuration parameter: whether the check runs. */
	public static final String ENABLED = "cancelscope.test.leak-check.enabled";

	/** Configuration parameter: how long the check waits for work that is ending. */
	public static final String GRACE = "cancelscope.test.leak-check.grace";

	/** Configuration parameter: comma-separated names of threads that may outlive any test. */
	public static final String ALLOWED_THREADS = "cancelscope.test.leak-check.allowed-threads";

	private static final Namespace NAMESPACE = Namespace.create(LeakCheckExtension.class);

	private final @Nullable LeakCheck check;

	/**
	 * Creates an extension that uses {@link LeakCheck#defaults()}, adjusted by the configuration
	 * parameters.
	 */
	public LeakCheckExtension() {
		this.check = null;
	}

	/**
	 * Creates an extension that uses the given check; configuration parameters still add allowed
	 * threads and can switch it off.
	 * @param check the check
	 */
	public LeakCheckExtension(LeakCheck check) {
		this.check = check;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (!context.getConfigurationParameter(ENABLED, Boolean::parseBoolean).orElse(true)) {
			return;
		}
		Optional<LeakCheck> check = configured(context).forTest(context.getRequiredTestClass(),
				context.getRequiredTestMethod());
		if (check.isEmpty()) {
			return;
		}
		LeakCheck withScopes = check.get();
		for (RootScopeExtension root : rootScopes(context)) {
			withScopes = withScopes.withScope(() -> currentRoot(root));
		}
		context.getStore(NAMESPACE).put(LeakCheck.Watch.class, withScopes.start());
	}

	@Override
	public void afterTestExecution(ExtensionContext context) {
		LeakCheck.Watch watch = context.getStore(NAMESPACE).get(LeakCheck.Watch.class, LeakCheck.Watch.class);
		if (watch != null) {
			watch.observeScopes();
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		LeakCheck.Watch watch = context.getStore(NAMESPACE).remove(LeakCheck.Watch.class, LeakCheck.Watch.class);
		if (watch == null || context.getExecutionException().isPresent()) {
			return;
		}
		watch.verify(context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName()
				+ "()");
	}

	private LeakCheck configured(ExtensionContext context) {
		LeakCheck check = (this.check != null) ? this.check : LeakCheck.defaults();
		Optional<String> grace = context.getConfigurationParameter(GRACE);
		if (grace.isPresent()) {
			check = check.withGrace(parseDuration(GRACE, grace.get()));
		}
		Optional<String> allowed = context.getConfigurationParameter(ALLOWED_THREADS);
		if (allowed.isPresent()) {
			check = check.allowingThreads(Arrays.stream(allowed.get().split(","))
				.map(String::trim)
				.filter((pattern) -> !pattern.isEmpty())
				.toList());
		}
		return check;
	}

	/**
	 * Parses {@code 500ms}, {@code 2s}, {@code 1m} or an ISO-8601 duration such as {@code PT2S}.
	 */
	static Duration parseDuration(String name, String value) {
		String text = value.trim().toLowerCase(java.util.Locale.ROOT);
		try {
			if (text.startsWith("p")) {
				return Duration.parse(text.toUpperCase(java.util.Locale.ROOT));
			}
			if (text.endsWith("ms")) {
				return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).trim()));
			}
			if (text.endsWith("s")) {
				return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1).trim()));
			}
			if (text.endsWith("m")) {
				return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1).trim()));
			}
			return Duration.ofMillis(Long.parseLong(text));
		}
		catch (NumberFormatException | DateTimeParseException ex) {
			throw new IllegalArgumentException("Cannot read " + name + "=" + value
					+ " as a duration: use for example 500ms, 2s or PT2S", ex);
		}
	}

	private static List<RootScopeExtension> rootScopes(ExtensionContext context) {
		List<RootScopeExtension> roots = new ArrayList<>();
		for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
			for (Class<?> type = instance.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
				for (Field field : type.getDeclaredFields()) {
					if (RootScopeExtension.class.isAssignableFrom(field.getType())) {
						try {
							field.setAccessible(true);
							Object root = field.get(instance);
							if (root != null) {
								roots.add((RootScopeExtension) root);
							}
						}
						catch (ReflectiveOperationException | RuntimeException ex) {
							// a field we cannot read: its scopes go unchecked, its threads do not
						}
					}
				}
			}
		}
		return roots;
	}

	private static @Nullable CancellableScope currentRoot(RootScopeExtension root) {
		try {
			return root.scope();
		}
		catch (IllegalStateException ex) {
			// the root scope extension ran first and closed its root, which cancels and awaits what was left
			return null;
		}
	}

}
