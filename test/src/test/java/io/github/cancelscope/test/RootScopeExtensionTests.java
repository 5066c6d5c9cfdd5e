package io.github.cancelscope.test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.spi.ObservedScope;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.launcher.listeners.TestExecutionSummary.Failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Tests for {@link RootScopeExtension}, each running a small test class of its own through the
 * JUnit Platform launcher, as a project that uses the extension would.
 */
class RootScopeExtensionTests {

	static final List<Object> seen = new CopyOnWriteArrayList<>();

	static final AtomicReference<CancellableScope> leftOpen = new AtomicReference<>();

	@BeforeEach
	void forgetWhatTheLastRunSaw() {
		seen.clear();
		leftOpen.set(null);
	}

	@Test
	void failsATestThatLeavesAChildScopeOpenWithAMessageNamingItAndCancelsThatScope() {
		TestExecutionSummary summary = run(LeavesAScopeOpen.class);
		assertThat(summary.getFailures()).singleElement()
			.extracting(Failure::getException)
			.isInstanceOf(AssertionError.class)
			.asString()
			.contains("The test left 1 scope(s) open: method Orders.find (id " + leftOpen.get().id() + ")")
			.contains("allowingOpenScopes()");
		assertThat(leftOpen.get().cancellation()).map(Cancellation::reason).contains(CancellationReason.CANCELLED);
	}

	@Test
	void letsATestLeaveScopesOpenWhenToldAndStillCancelsThem() {
		TestExecutionSummary summary = run(LeavesAScopeOpenDeliberately.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
		assertThat(leftOpen.get().cancellation()).map(Cancellation::reason).contains(CancellationReason.CANCELLED);
	}

	@Test
	void failsATestThatLeavesItsThreadInterruptedAndClearsTheInterrupt() {
		TestExecutionSummary summary = run(LeavesTheThreadInterrupted.class);
		assertThat(summary.getFailures()).singleElement()
			.extracting(Failure::getException)
			.isInstanceOf(AssertionError.class)
			.asString()
			.contains("The test's thread was left interrupted");
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
	}

	@Test
	void reportsOnlyTheTestsOwnFailureWhenTheTestFailed() {
		TestExecutionSummary summary = run(FailsAndLeavesAScopeOpen.class);
		assertThat(summary.getFailures()).singleElement()
			.extracting(Failure::getException)
			.isInstanceOf(IllegalStateException.class)
			.asString()
			.contains("the test's own failure");
	}

	@Test
	void resolvesTheRootScopeAndItsManualClockAsParameters() {
		TestExecutionSummary summary = run(TakesParameters.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
		assertThat(seen).hasSize(3);
		assertThat(seen.get(0)).as("the CancellableScope parameter").isInstanceOf(CancellableScope.class);
		assertThat(seen.get(1)).as("the RequestScope parameter").isSameAs(seen.get(0));
		assertThat(seen.get(2)).isInstanceOf(ManualScopeClock.class);
	}

	@Test
	void givesEachTestAFreshRootOnAManualClockAndClosesItAfterwards() {
		TestExecutionSummary summary = run(TwoTests.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
		assertThat(seen).hasSize(2).doesNotHaveDuplicates();
		for (Object root : seen) {
			CancellableScope scope = (CancellableScope) root;
			assertThat(scope.kind()).isEqualTo(ScopeOptions.APPLICATION);
			assertThatIllegalStateException().as("the root was closed").isThrownBy(scope::openChild);
		}
	}

	@Test
	void withSystemClockHasNoManualClockToResolve() {
		TestExecutionSummary summary = run(OnTheSystemClock.class);
		assertThat(summary.getTestsSucceededCount()).as("the test that asks the extension for its clock").isOne();
		assertThat(summary.getFailures()).singleElement()
			.extracting(Failure::getException)
			.isInstanceOf(ParameterResolutionException.class)
			.asString()
			.contains(ManualScopeClock.class.getName());
	}

	@Test
	void withSettingsAdjustsTheSettingsOfEachRoot() {
		TestExecutionSummary summary = run(Observed.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(seen).containsExactly("opened application", "opened child");
	}

	private static TestExecutionSummary run(Class<?> testClass) {
		SummaryGeneratingListener listener = new SummaryGeneratingListener();
		LauncherFactory.create()
			.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), listener);
		return listener.getSummary();
	}

	static class LeavesAScopeOpen {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension();

		@Test
		void test() {
			leftOpen.set(this.root.scope().openChild(ScopeOptions.of(ScopeOptions.METHOD, "Orders.find")));
		}

	}

	static class LeavesAScopeOpenDeliberately {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension().allowingOpenScopes();

		@Test
		void test() {
			leftOpen.set(this.root.scope().openChild());
		}

	}

	static class LeavesTheThreadInterrupted {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension();

		@Test
		void test() {
			try (CancellableScope scope = this.root.scope().openChild()) {
				scope.call(() -> {
					Thread.currentThread().interrupt();
					return null;
				});
			}
			// closing the scope cleared the interrupt it set; this one outlives every scope
			Thread.currentThread().interrupt();
		}

	}

	static class FailsAndLeavesAScopeOpen {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension();

		@Test
		void test() {
			this.root.scope().openChild();
			throw new IllegalStateException("the test's own failure");
		}

	}

	static class TakesParameters {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension();

		@Test
		void test(CancellableScope scope, RequestScope view, ManualScopeClock clock) {
			seen.addAll(List.of(scope, view, clock));
			assertThat(scope).isSameAs(this.root.scope());
			assertThat(clock).isSameAs(this.root.clock());
			try (CancellableScope child = scope.openChild(Duration.ofSeconds(2))) {
				clock.advance(Duration.ofSeconds(2));
				assertThat(child.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
			}
		}

	}

	static class TwoTests {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension();

		@Test
		void first(CancellableScope root) {
			seen.add(root);
		}

		@Test
		void second(CancellableScope root) {
			seen.add(root);
		}

	}

	static class OnTheSystemClock {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension().withSystemClock();

		@Test
		void clockIsRefused() {
			assertThatIllegalStateException().isThrownBy(this.root::clock).withMessageContaining("system clock");
		}

		@Test
		void clockParameterIsNotResolved(ManualScopeClock clock) {
		}

	}

	static class Observed {

		@RegisterExtension
		final RootScopeExtension root = new RootScopeExtension().withSettings((settings) -> settings
			.withObserver((scope, parent) -> {
				seen.add("opened " + scope.kind());
				return ObservedScope.NONE;
			}));

		@Test
		void test() {
			this.root.scope().openChild().close();
		}

	}

}
