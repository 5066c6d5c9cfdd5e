package io.github.cancelscope.test.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.test.AllowLeaks;
import io.github.cancelscope.test.LeakCheck;
import io.github.cancelscope.test.LeakProbe;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertyResolver;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;
import org.springframework.util.ClassUtils;

/**
 * Fails a Spring test, with a report that names each leak, if work outlives it. Registered through
 * {@code META-INF/spring.factories}, so that every Spring test (every {@code @SpringBootTest}, every
 * slice) is checked once cancelscope-test is on the test classpath; no annotation is needed.
 * <p>
 * Before each test method it notes what runs; after it (after the test's {@code @AfterEach}
 * methods and after the test's transaction is rolled back) it waits up to a grace for work that is
 * ending, then fails the test if any of this is left:
 * <ul>
 * <li>a scope still open under the application's {@link CancellableScope} beans, a fork still
 * alive, a statement or an outbound call still running in a scope;</li>
 * <li>a connection still borrowed from a HikariCP pool behind a {@code DataSource} bean (more than
 * before the test);</li>
 * <li>a thread started during the test, or idle in a pool before it, and still running (virtual
 * threads included, on Java 21 and later).</li>
 * </ul>
 * A test that failed anyway is not checked. Properties of the test's environment (or system
 * properties and environment variables when there is no application context) adjust it:
 * {@code cancelscope.test.leak-check.enabled}, {@code cancelscope.test.leak-check.grace} and
 * {@code cancelscope.test.leak-check.allowed-threads}; a test method or class is exempted with
 * {@link AllowLeaks}. A test class that declares {@code @TestExecutionListeners} without
 * {@code mergeMode = MERGE_WITH_DEFAULTS} replaces the default listeners, this one included.
 */
public final class LeakCheckTestExecutionListener extends AbstractTestExecutionListener {

	/**
	 * The order of this listener: after the {@code DirtiesContextTestExecutionListener} (3000), so
	 * that the context is still open when the check runs, and before the
	 * {@code TransactionalTestExecutionListener} (4000), so that the test's own transaction has
	 * given its connection back.
	 */
	public static final int ORDER = 3500;

	private static final String PREFIX = "cancelscope.test.leak-check.";

	private static final String WATCH = LeakCheckTestExecutionListener.class.getName() + ".watch";

	private static final boolean HIKARI_PRESENT = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			LeakCheckTestExecutionListener.class.getClassLoader());

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void beforeTestMethod(TestContext testContext) {
		testContext.removeAttribute(WATCH);
		ApplicationContext context = testContext.hasApplicationContext() ? testContext.getApplicationContext() : null;
		PropertyResolver properties = (context != null) ? context.getEnvironment() : new StandardEnvironment();
		if (!properties.getProperty(PREFIX + "enabled", Boolean.class, true)) {
			return;
		}
		Optional<LeakCheck> check = configured(properties).forTest(testContext.getTestClass(),
				testContext.getTestMethod());
		if (check.isEmpty()) {
			return;
		}
		LeakCheck leakCheck = check.get();
		List<LeakProbe> probes = new ArrayList<>();
		if (context != null) {
			for (String name : context.getBeanNamesForType(CancellableScope.class, false, false)) {
				CancellableScope scope = context.getBean(name, CancellableScope.class);
				leakCheck = leakCheck.withScope(() -> isActive(context) ? scope : null);
			}
			if (HIKARI_PRESENT) {
				probes.add(new BorrowedConnections(context));
			}
		}
		testContext.setAttribute(WATCH, leakCheck.start(probes.toArray(LeakProbe[]::new)));
	}

	@Override
	public void afterTestMethod(TestContext testContext) {
		LeakCheck.Watch watch = (LeakCheck.Watch) testContext.removeAttribute(WATCH);
		if (watch == null || testContext.getTestException() != null) {
			return;
		}
		watch.verify(testContext.getTestClass().getSimpleName() + "." + testContext.getTestMethod().getName() + "()");
	}

	private static LeakCheck configured(PropertyResolver properties) {
		LeakCheck check = LeakCheck.defaults();
		String grace = properties.getProperty(PREFIX + "grace");
		if (grace != null) {
			check = check.withGrace(duration(grace));
		}
		String allowed = properties.getProperty(PREFIX + "allowed-threads");
		if (allowed != null) {
			check = check.allowingThreads(Arrays.stream(allowed.split(","))
				.map(String::trim)
				.filter((pattern) -> !pattern.isEmpty())
				.toList());
		}
		return check;
	}

	private static Duration duration(String value) {
		try {
			return DurationFormatterUtils.detectAndParse(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Cannot read " + PREFIX + "grace=" + value
					+ " as a duration: use for example 500ms, 2s or PT2S", ex);
		}
	}

	private static boolean isActive(ApplicationContext context) {
		return !(context instanceof ConfigurableApplicationContext configurable) || configurable.isActive();
	}

}
