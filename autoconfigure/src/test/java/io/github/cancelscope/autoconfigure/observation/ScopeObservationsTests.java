package io.github.cancelscope.autoconfigure.observation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.Scoped;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.observation.DefaultScopeObservationConvention;
import io.github.cancelscope.observation.ScopeObservationContext;
import io.github.cancelscope.observation.ScopeObservationConvention;
import io.github.cancelscope.test.ManualScopeClock;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Observations of request and {@link Scoped @Scoped} scopes, checked with a
 * {@link TestObservationRegistry}, which also validates each observation's life cycle.
 */
class ScopeObservationsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
				CancelScopeObservationAutoConfiguration.class))
		.withUserConfiguration(ObservationConfiguration.class);

	@Test
	void completedRequestScopeIsAnObservationWithItsKindOutcomeAndDescription() {
		this.contextRunner.run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			String id = request(context, Duration.ofSeconds(5), () -> "done");
			ScopeObservationContext observed = recorder.stopped(id);
			assertThat(observed.getLowCardinalityKeyValues()).contains(KeyValue.of("cancelscope.kind", "request"),
					KeyValue.of("cancelscope.name", "request"), KeyValue.of("cancelscope.outcome", "completed"),
					KeyValue.of("cancelscope.reason", "none"));
			assertThat(observed.getHighCardinalityKeyValues()).contains(KeyValue.of("cancelscope.scope.id", id),
					KeyValue.of("cancelscope.description", "GET /orders/42"));
			assertThat(observed.getContextualName()).isEqualTo("request scope");
			assertThat(recorder.events).isEmpty();
			assertThat(context.getBean(TestObservationRegistry.class)).hasNumberOfObservationsEqualTo(1);
		});
	}

	@Test
	void cancelledRequestScopeHasTheReasonAsKeyAndAnEvent() {
		this.contextRunner.run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			ManualScopeClock clock = context.getBean(ManualScopeClock.class);
			String id = request(context, Duration.ofMillis(100), () -> {
				clock.advance(Duration.ofMillis(100));
				return RequestScope.current().cancellation().map(Cancellation::reason).orElseThrow();
			});
			ScopeObservationContext observed = recorder.stopped(id);
			assertThat(observed.getLowCardinalityKeyValues()).contains(KeyValue.of("cancelscope.outcome", "cancelled"),
					KeyValue.of("cancelscope.reason", "DEADLINE_EXCEEDED"));
			assertThat(observed.getError()).isNull();
			assertThat(recorder.events).containsExactly(id + " cancelscope.cancelled: cancelled DEADLINE_EXCEEDED");
		});
	}

	@Test
	void siblingFailureIsTheObservationsError() {
		this.contextRunner.run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			String id = request(context, null, () -> {
				try {
					RequestScope.current().fork(() -> {
						throw new IllegalStateException("boom");
					}).join();
				}
				catch (IllegalStateException ex) {
					// the handler lets Spring answer it
				}
				return null;
			});
			ScopeObservationContext observed = recorder.stopped(id);
			assertThat(observed.getLowCardinalityKeyValues()).contains(KeyValue.of("cancelscope.reason", "SIBLING_FAILED"));
			assertThat(observed.getError()).hasMessage("boom");
		});
	}

	@Test
	void scopedCallIsAChildObservationOfTheRequestsEvenInAFork() {
		this.contextRunner.withUserConfiguration(PricingConfiguration.class).run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			Pricing pricing = context.getBean(Pricing.class);
			String id = request(context, null, () -> {
				pricing.quote();
				return RequestScope.current().fork(pricing::quote).join();
			});
			ScopeObservationContext request = recorder.stopped(id);
			List<ScopeObservationContext> quotes = recorder.stopped.stream()
				.filter((c) -> c.getKind().equals(ScopeOptions.METHOD))
				.toList();
			assertThat(quotes).hasSize(2).allSatisfy((quote) -> {
				assertThat(quote.getLowCardinalityKeyValues()).contains(KeyValue.of("cancelscope.kind", "method"),
						KeyValue.of("cancelscope.name", "Pricing.quote"), KeyValue.of("cancelscope.outcome", "completed"));
				assertThat(quote.getContextualName()).isEqualTo("Pricing.quote");
				assertThat(quote.getParentObservation()).isNotNull();
				assertThat(quote.getParentObservation().getContextView()).isSameAs(request);
			});
		});
	}

	@Test
	void scopedCallWhoseOwnDeadlinePassesIsCancelledWhileTheRequestCompletes() {
		this.contextRunner.withUserConfiguration(PricingConfiguration.class).run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			Pricing pricing = context.getBean(Pricing.class);
			String id = request(context, null, () -> {
				assertThatExceptionOfType(ScopeCancelledException.class).isThrownBy(pricing::expired);
				return null;
			});
			assertThat(recorder.stopped(id).getLowCardinalityKeyValues())
				.contains(KeyValue.of("cancelscope.outcome", "completed"));
			assertThat(recorder.stopped.stream().filter((c) -> c.getScopeName().equals("Pricing.expired")))
				.singleElement()
				.satisfies((c) -> assertThat(c.getLowCardinalityKeyValues())
					.contains(KeyValue.of("cancelscope.reason", "DEADLINE_EXCEEDED")));
		});
	}

	@Test
	void scopeOfAnIntegrationsOwnKindIsObservedUnderItsKindAndName() {
		this.contextRunner.run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			String id;
			try (CancellableScope call = context.getBean(CancellableScope.class)
				.openChild(ScopeOptions.of("grpc", "orders.Orders/Get").withDescription("Get order 42"))) {
				id = call.id();
			}
			ScopeObservationContext observed = recorder.stopped(id);
			assertThat(observed.getLowCardinalityKeyValues()).contains(KeyValue.of("cancelscope.kind", "grpc"),
					KeyValue.of("cancelscope.name", "orders.Orders/Get"));
			assertThat(observed.getHighCardinalityKeyValues())
				.contains(KeyValue.of("cancelscope.description", "Get order 42"));
			assertThat(observed.getContextualName()).isEqualTo("grpc scope");
		});
	}

	@Test
	void plainChildScopesAndGroupsAreNotObservations() {
		this.contextRunner.run((context) -> {
			request(context, null, () -> {
				try (CancellableScope child = RequestScope.current().openChild()) {
					return child.call(() -> RequestScope.current().all(List.of(() -> "a", () -> "b")));
				}
			});
			assertThat(context.getBean(TestObservationRegistry.class)).hasNumberOfObservationsEqualTo(1);
		});
	}

	@Test
	void userConventionReplacesTheDefault() {
		this.contextRunner.withBean(ScopeObservationConvention.class, () -> new DefaultScopeObservationConvention() {

			@Override
			public String getName() {
				return "my.scope";
			}

		}).run((context) -> {
			request(context, null, () -> null);
			assertThat(context.getBean(TestObservationRegistry.class)).hasObservationWithNameEqualTo("my.scope");
		});
	}

	/**
	 * Does what the request filter does: opens a request scope, a child of the application scope,
	 * runs the handler in it and closes it.
	 */
	static String request(AssertableApplicationContext context, @Nullable Duration timeout,
			CheckedCallable<Object, RuntimeException> handler) {
		try (CancellableScope scope = context.getBean(CancellableScope.class)
			.openChild(ScopeOptions.of(ScopeOptions.REQUEST).withDescription("GET /orders/42").withTimeout(timeout))) {
			scope.call(handler);
			return scope.id();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class ObservationConfiguration {

		@Bean
		TestObservationRegistry observationRegistry(Recorder recorder) {
			TestObservationRegistry registry = TestObservationRegistry.create();
			registry.observationConfig().observationHandler(recorder);
			return registry;
		}

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		@Bean
		ManualScopeClock scopeClock() {
			return new ManualScopeClock();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PricingConfiguration {

		@Bean
		Pricing pricing() {
			return new Pricing();
		}

	}

	static class Pricing {

		@Scoped(timeout = "1s")
		String quote() {
			return "42";
		}

		@Scoped(timeout = "0ms")
		String expired() {
			RequestScope.current().throwIfCancelled();
			return "never";
		}

	}

	static final class Recorder implements ObservationHandler<ScopeObservationContext> {

		final List<ScopeObservationContext> stopped = new CopyOnWriteArrayList<>();

		final List<String> events = new CopyOnWriteArrayList<>();

		ScopeObservationContext stopped(String scopeId) {
			return this.stopped.stream()
				.filter((context) -> context.getScopeId().equals(scopeId))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no observation of scope " + scopeId + " in " + this.stopped));
		}

		@Override
		public void onStop(ScopeObservationContext context) {
			this.stopped.add(context);
		}

		@Override
		public void onEvent(Observation.Event event, ScopeObservationContext context) {
			this.events.add(context.getScopeId() + " " + event.getName() + ": " + event.getContextualName());
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return context instanceof ScopeObservationContext;
		}

	}

}
