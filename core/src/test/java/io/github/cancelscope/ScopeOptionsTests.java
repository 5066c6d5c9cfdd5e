package io.github.cancelscope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

import io.github.cancelscope.spi.ScopeSnapshot;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Tests for {@link ScopeOptions} and for what a scope says it is: kind, name and description.
 */
class ScopeOptionsTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void kindAloneNamesAndDescribesTheScopeAndGivesNoTimeout() {
		ScopeOptions options = ScopeOptions.of("grpc");
		assertThat(options.kind()).isEqualTo("grpc");
		assertThat(options.name()).isEqualTo("grpc");
		assertThat(options.description()).isEqualTo("grpc");
		assertThat(options.timeout()).isEmpty();
	}

	@Test
	void descriptionDefaultsToTheName() {
		ScopeOptions options = ScopeOptions.of(ScopeOptions.METHOD, "Pricing.quote");
		assertThat(options.kind()).isEqualTo("method");
		assertThat(options.name()).isEqualTo("Pricing.quote");
		assertThat(options.description()).isEqualTo("Pricing.quote");
	}

	@Test
	void withMethodsReturnNewOptionsAndLeaveTheOriginalAlone() {
		ScopeOptions original = ScopeOptions.of(ScopeOptions.REQUEST, "GET /orders/{id}");
		ScopeOptions described = original.withDescription("GET /orders/42").withTimeout(Duration.ofSeconds(2));
		ScopeOptions renamed = described.withName("GET /orders");
		assertThat(described.description()).isEqualTo("GET /orders/42");
		assertThat(described.timeout()).contains(Duration.ofSeconds(2));
		assertThat(renamed.name()).isEqualTo("GET /orders");
		assertThat(renamed.description()).isEqualTo("GET /orders/42");
		assertThat(renamed.kind()).isEqualTo("request");
		assertThat(original.description()).isEqualTo("GET /orders/{id}");
		assertThat(original.timeout()).isEmpty();
		assertThat(described.withTimeout(null).timeout()).isEmpty();
	}

	@Test
	void plainChildOptionsAreOfKindChildWithoutTimeout() {
		assertThat(ScopeOptions.child().kind()).isEqualTo(ScopeOptions.CHILD).isEqualTo("child");
		assertThat(ScopeOptions.child().name()).isEqualTo("child");
		assertThat(ScopeOptions.child().timeout()).isEmpty();
	}

	@Test
	void blankKindOrNameIsRejectedWithAMessageThatSaysWhich() {
		assertThatIllegalArgumentException().isThrownBy(() -> ScopeOptions.of(" "))
			.withMessage("A scope's kind must not be blank");
		assertThatIllegalArgumentException().isThrownBy(() -> ScopeOptions.of("", "name"))
			.withMessage("A scope's kind must not be blank");
		assertThatIllegalArgumentException().isThrownBy(() -> ScopeOptions.of("method", "\t"))
			.withMessage("A scope's name must not be blank");
		assertThatIllegalArgumentException().isThrownBy(() -> ScopeOptions.of("method").withName(" "))
			.withMessage("A scope's name must not be blank");
		assertThatNullPointerException().isThrownBy(() -> ScopeOptions.of(null)).withMessage("kind");
	}

	@Test
	void scopeReportsTheKindNameAndDescriptionItWasOpenedWith() {
		ScopeOptions options = ScopeOptions.of(ScopeOptions.METHOD, "Pricing.quote").withDescription("quote for item 7");
		try (CancellableScope scope = this.root.scope().openChild(options)) {
			assertThat(scope.kind()).isEqualTo("method");
			assertThat(scope.name()).isEqualTo("Pricing.quote");
			assertThat(scope.description()).isEqualTo("quote for item 7");
			assertThat(scope.call(RequestScope::current).kind()).isEqualTo("method");
		}
	}

	@Test
	void rootIsOfKindApplicationAndPlainChildrenOfKindChild() {
		CancellableScope root = this.root.scope();
		assertThat(root.kind()).isEqualTo(ScopeOptions.APPLICATION);
		try (CancellableScope child = root.openChild(); CancellableScope timed = root.openChild(Duration.ofSeconds(1))) {
			assertThat(List.of(child.kind(), child.name(), timed.kind())).containsOnly(ScopeOptions.CHILD);
		}
	}

	@Test
	void allAndRaceRunTheirTasksInAScopeOfKindGroup() {
		try (CancellableScope scope = this.root.scope().openChild()) {
			Callable<String> kind = () -> RequestScope.current().kind();
			assertThat(scope.all(List.of(kind, kind))).containsOnly(ScopeOptions.GROUP);
			assertThat(scope.race(List.of(kind))).isEqualTo(ScopeOptions.GROUP);
		}
	}

	@Test
	void timeoutOfTheOptionsSetsTheDeadline() {
		ScopeOptions options = ScopeOptions.of(ScopeOptions.METHOD, "Pricing.quote").withTimeout(Duration.ofSeconds(2));
		try (CancellableScope scope = this.root.scope().openChild(options)) {
			assertThat(scope.deadline()).contains(START.plusSeconds(2));
			this.root.clock().advance(Duration.ofSeconds(2));
			assertThat(scope.cancellation()).map(Cancellation::reason).contains(CancellationReason.DEADLINE_EXCEEDED);
		}
	}

	@Test
	void snapshotShowsTheKindNameAndDescriptionOfEachScope() {
		CancellableScope root = this.root.scope();
		try (CancellableScope request = root
			.openChild(ScopeOptions.of(ScopeOptions.REQUEST, "GET /orders/{id}").withDescription("GET /orders/42"));
				CancellableScope step = request.openChild(ScopeOptions.of(ScopeOptions.METHOD, "Pricing.quote"))) {
			ScopeSnapshot snapshot = root.snapshot();
			assertThat(snapshot.kind()).isEqualTo("application");
			assertThat(snapshot.children()).singleElement().satisfies((requestSnapshot) -> {
				assertThat(requestSnapshot.id()).isEqualTo(request.id());
				assertThat(requestSnapshot.kind()).isEqualTo("request");
				assertThat(requestSnapshot.name()).isEqualTo("GET /orders/{id}");
				assertThat(requestSnapshot.description()).isEqualTo("GET /orders/42");
				assertThat(requestSnapshot.children()).singleElement().satisfies((stepSnapshot) -> {
					assertThat(stepSnapshot.id()).isEqualTo(step.id());
					assertThat(stepSnapshot.kind()).isEqualTo("method");
					assertThat(stepSnapshot.name()).isEqualTo("Pricing.quote");
					assertThat(stepSnapshot.description()).isEqualTo("Pricing.quote");
				});
			});
		}
	}

}
