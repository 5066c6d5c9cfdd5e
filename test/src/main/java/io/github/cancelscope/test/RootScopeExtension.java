package io.github.cancelscope.test;

import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.spi.ScopeClock;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.spi.ScopeSnapshot;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh root scope, by default on a
 * {@link ManualScopeClock}, and checks after the test that nothing outlived it.
 * {@snippet :
 * class DeadlineTests {
 *
 *     @RegisterExtension
 *     final RootScopeExtension root = new RootScopeExtension();
 *
 *     @Test
 *     void cancelsAtTheDeadline() {
 *         CancellableScope request = root.scope().openChild(Duration.ofSeconds(2));
 *         root.clock().advance(Duration.ofSeconds(2));
 *         assertThat(request.isCancelled()).isTrue();
 *         request.close();
 *     }
 *
 * }
 * }
 * A test method may also declare a parameter of type {@link CancellableScope}, {@link RequestScope}
 * or {@link ManualScopeClock}.
 * <p>
 * After each test the extension fails it, with a message that names what is left, if a child scope
 * of the root is still open, or if the test's thread is left interrupted: an interrupt that outlives
 * its scope would reach the next request of a pooled thread. It then closes the root, which cancels
 * and awaits whatever is left, and clears the interrupt status.
 */
public final class RootScopeExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

	private final boolean manualClock;

	private final UnaryOperator<ScopeSettings> settings;

	private final boolean checkOpenScopes;

	private @Nullable ManualScopeClock clock;

	private @Nullable CancellableScope scope;

	/**
	 * Creates an extension whose roots run on a {@link ManualScopeClock}.
	 */
	public RootScopeExtension() {
		this(true, UnaryOperator.identity(), true);
	}

	private RootScopeExtension(boolean manualClock, UnaryOperator<ScopeSettings> settings, boolean checkOpenScopes) {
		this.manualClock = manualClock;
		this.settings = settings;
		this.checkOpenScopes = checkOpenScopes;
	}

	/**
	 * Returns a copy whose roots run on the system clock, for tests of real timers and real
	 * blocking calls.
	 * @return the new extension
	 */
	public RootScopeExtension withSystemClock() {
		return new RootScopeExtension(false, this.settings, this.checkOpenScopes);
	}

	/**
	 * Returns a copy that adjusts the settings of each root, on top of the clock.
	 * @param settings adjusts the settings, for example {@code (s) -> s.withCloseTimeout(Duration.ofSeconds(1))}
	 * @return the new extension
	 */
	public RootScopeExtension withSettings(UnaryOperator<ScopeSettings> settings) {
		Objects.requireNonNull(settings, "settings");
		return new RootScopeExtension(this.manualClock, settings, this.checkOpenScopes);
	}

	/**
	 * Returns a copy that lets a test leave child scopes open; closing the root still cancels and
	 * awaits them.
	 * @return the new extension
	 */
	public RootScopeExtension allowingOpenScopes() {
		return new RootScopeExtension(this.manualClock, this.settings, false);
	}

	/**
	 * Returns the root scope of the running test.
	 * @return the root scope
	 * @throws IllegalStateException outside a test
	 */
	public CancellableScope scope() {
		if (this.scope == null) {
			throw new IllegalStateException("No test is running: the root scope exists only while a test runs");
		}
		return this.scope;
	}

	/**
	 * Returns the manual clock of the running test's root.
	 * @return the clock
	 * @throws IllegalStateException outside a test, or if the extension uses the system clock
	 */
	public ManualScopeClock clock() {
		if (this.clock == null) {
			throw new IllegalStateException(this.manualClock ? "No test is running: the clock exists only while a test runs"
					: "This extension runs its roots on the system clock; create it without withSystemClock() for a manual one");
		}
		return this.clock;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		ScopeClock clock = ScopeClock.system();
		if (this.manualClock) {
			this.clock = new ManualScopeClock();
			clock = this.clock;
		}
		this.scope = CancellableScope.root(this.settings.apply(ScopeSettings.defaults()
			.withClock(clock)
			.withCloseTimeout(Duration.ofSeconds(10))));
	}

	@Override
	public void afterEach(ExtensionContext context) {
		CancellableScope scope = this.scope;
		this.scope = null;
		this.clock = null;
		if (scope == null) {
			return;
		}
		boolean interrupted = Thread.interrupted();
		ScopeSnapshot left = scope.snapshot();
		scope.close();
		Thread.interrupted();
		if (context.getExecutionException().isPresent()) {
			return;
		}
		if (this.checkOpenScopes && !left.children().isEmpty()) {
			throw new AssertionError("The test left " + left.children().size() + " scope(s) open: " + describe(left)
					+ ". Close every scope the test opens (try-with-resources), or register the extension with "
					+ "allowingOpenScopes().");
		}
		if (interrupted) {
			throw new AssertionError("The test's thread was left interrupted. An interrupt that outlives its scope "
					+ "reaches the next request of a pooled thread.");
		}
	}

	private static String describe(ScopeSnapshot root) {
		StringBuilder description = new StringBuilder();
		for (ScopeSnapshot child : root.children()) {
			if (!description.isEmpty()) {
				description.append(", ");
			}
			description.append(child.kind()).append(' ').append(child.description()).append(" (id ").append(child.id());
			if (!child.forks().isEmpty()) {
				description.append(", ").append(child.forks().size()).append(" fork(s) running");
			}
			description.append(')');
		}
		return description.toString();
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		Class<?> type = parameter.getParameter().getType();
		return type == CancellableScope.class || type == RequestScope.class
				|| (type == ManualScopeClock.class && this.manualClock);
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return (parameter.getParameter().getType() == ManualScopeClock.class) ? clock() : scope();
	}

}
