package io.github.cancelscope.autoconfigure.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.google.common.util.concurrent.ListenableFuture;
import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.autoconfigure.CancelScopeAutoConfiguration;
import io.github.cancelscope.grpc.ScopedClientInterceptor;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.ManualScopeClock;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.grpc.client.autoconfigure.GrpcClientAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.client.GrpcChannelFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * A channel built by Spring gRPC's own channel factory, as its client auto-configuration
 * ({@link GrpcClientAutoConfiguration}) creates it, calling a grpc-java server (Netty, loopback) that
 * has no cancelscope: the server sees the scope's remaining time as the call's deadline, and sees
 * the call cancelled when the scope is. Nothing but the starter's auto-configuration puts the
 * {@link ScopedClientInterceptor} on the channel.
 */
class SpringGrpcChannelFactoryTests {

	private static Server server;

	// answers the racing calls of the storm test
	private static final ScheduledExecutorService answers = Executors.newScheduledThreadPool(2);

	// racing calls the server has not seen end yet
	private static final AtomicInteger raceCalls = new AtomicInteger();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CancelScopeAutoConfiguration.class,
				CancelScopeGrpcAutoConfiguration.class, GrpcClientAutoConfiguration.class, SslAutoConfiguration.class));

	@BeforeAll
	static void startServer() throws Exception {
		server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
			.addService(ServerServiceDefinition.builder("test.Reports")
				.addMethod(StringMethods.SLOW_REPORT, ServerCalls.asyncUnaryCall((id, response) -> {
					Deadline deadline = Context.current().getDeadline();
					if (id.startsWith("race")) {
						raceCalls.incrementAndGet();
						Context.current().addListener((context) -> raceCalls.decrementAndGet(), Runnable::run);
						answers.schedule(() -> {
							response.onNext(id);
							response.onCompleted();
						}, ThreadLocalRandom.current().nextInt(1000), TimeUnit.MICROSECONDS);
						return;
					}
					if (id.startsWith("deadline")) {
						response.onNext((deadline != null) ? Long.toString(deadline.timeRemaining(TimeUnit.MILLISECONDS)) : "none");
						response.onCompleted();
						return;
					}
					// hold the call without answering until the client cancels it or its deadline passes
					Call call = Call.of(id);
					call.deadline = deadline;
					Context.current().addListener((context) -> {
						call.cancelledAt = System.nanoTime();
						call.cancelled.complete(Contexts.statusFromCancelled(context).getCode());
					}, Runnable::run);
					call.started.countDown();
				}))
				.build())
			.build()
			.start();
	}

	@AfterAll
	static void stopServer() {
		server.shutdownNow();
		answers.shutdownNow();
	}

	@Test
	void callInAScopeGetsTheScopesRemainingTimeAsItsDeadline() {
		this.contextRunner.run((context) -> {
			Channel channel = channel(context);
			assertThat(ClientCalls.blockingUnaryCall(channel, StringMethods.SLOW_REPORT, CallOptions.DEFAULT, "deadline"))
				.as("outside any scope the call is left alone")
				.isEqualTo("none");
			try (CancellableScope scope = context.getBean(CancellableScope.class).openChild(Duration.ofSeconds(60))) {
				String remaining = scope.call(() -> ClientCalls.blockingUnaryCall(channel, StringMethods.SLOW_REPORT,
						CallOptions.DEFAULT, "deadline"));
				// generous: only a call that got no deadline, or another one, falls outside
				assertThat(Long.parseLong(remaining)).as("the deadline the server saw, in ms")
					.isBetween(30_000L, 60_000L);
			}
		});
	}

	@Test
	void theEarlierOfTheChannelsDefaultDeadlineAndTheScopesWins() {
		this.contextRunner.withPropertyValues("spring.grpc.client.default-channel.default-deadline=20s")
			.run((context) -> {
				Channel channel = channel(context);
				CancellableScope application = context.getBean(CancellableScope.class);
				try (CancellableScope scope = application.openChild(Duration.ofSeconds(60))) {
					assertThat(Long.parseLong(scope.call(() -> ClientCalls.blockingUnaryCall(channel,
							StringMethods.SLOW_REPORT, CallOptions.DEFAULT, "deadline"))))
						.as("the channel's 20 s default, earlier than the scope's 60 s")
						.isBetween(10_000L, 20_000L);
				}
				try (CancellableScope scope = application.openChild(Duration.ofSeconds(5))) {
					assertThat(Long.parseLong(scope.call(() -> ClientCalls.blockingUnaryCall(channel,
							StringMethods.SLOW_REPORT, CallOptions.DEFAULT, "deadline"))))
						.as("the scope's 5 s, earlier than the channel's 20 s")
						.isBetween(1L, 5_000L);
				}
			});
	}

	@Test
	void scopesDeadlinePassingCancelsTheCallOnTheServer() {
		this.contextRunner.run((context) -> {
			Channel channel = channel(context);
			String id = "expiring";
			long started = System.nanoTime();
			try (CancellableScope scope = context.getBean(CancellableScope.class).openChild(Duration.ofSeconds(1))) {
				assertThatExceptionOfType(StatusRuntimeException.class)
					.isThrownBy(() -> scope.call(() -> ClientCalls.blockingUnaryCall(channel, StringMethods.SLOW_REPORT,
							CallOptions.DEFAULT, id)))
					.satisfies((ex) -> assertDeadlineExceeded(ex));
			}
			Call call = Call.of(id).awaitStarted();
			assertThat(call.deadline).as("the server got the scope's deadline").isNotNull();
			// the server's own timer for the deadline it got, or the client's cancel at the same deadline
			assertThat(call.awaitCancelled()).as("how the server saw the call end")
				.isIn(Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED);
			System.out.println(String.format(Locale.ROOT,
					"[grpc channel factory] 1 s scope: the server saw its call cancelled %.1f ms after the scope's deadline",
					(call.cancelledAt - started) / 1e6 - 1000));
		});
	}

	@Test
	void callCancelledByItsScopesDeadlineFailsWithDeadlineExceeded() {
		// the scope's clock is manual: its deadline passes when the test says, long before gRPC's timer
		// for the same 60 s, so the scope's cancel is what ends the call
		ManualScopeClock clock = new ManualScopeClock();
		this.contextRunner.run((context) -> {
			Channel channel = channel(context);
			String id = "scope-deadline";
			try (CancellableScope root = CancellableScope.root(ScopeSettings.defaults().withClock(clock));
					CancellableScope scope = root.openChild(Duration.ofSeconds(60))) {
				CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> scope
					.call(() -> ClientCalls.blockingUnaryCall(channel, StringMethods.SLOW_REPORT, CallOptions.DEFAULT, id)));
				Call call = Call.of(id).awaitStarted();
				clock.advance(Duration.ofSeconds(60));
				assertThat(call.awaitCancelled()).as("the client cancelled the call").isEqualTo(Status.Code.CANCELLED);
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(20, TimeUnit.SECONDS))
					.satisfies((ex) -> assertDeadlineExceeded((StatusRuntimeException) ex.getCause()));
			}
		});
	}

	@Test
	void cancellingTheScopeCancelsTheCallOnTheServer() {
		this.contextRunner.run((context) -> {
			Channel channel = channel(context);
			String id = "scope-cancelled";
			try (CancellableScope scope = context.getBean(CancellableScope.class).openChild()) {
				// the call blocks on a plain thread of its own: nothing interrupts it, only the scope's cancel
				// can end it
				CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> scope
					.call(() -> ClientCalls.blockingUnaryCall(channel, StringMethods.SLOW_REPORT, CallOptions.DEFAULT, id)));
				Call call = Call.of(id).awaitStarted();
				assertThat(call.deadline).as("a scope without a deadline sends none").isNull();
				long cancelled = System.nanoTime();
				assertThat(scope.cancel(CancellationReason.CANCELLED)).isTrue();
				assertThat(call.awaitCancelled()).as("how the server saw the call end").isEqualTo(Status.Code.CANCELLED);
				System.out.println(String.format(Locale.ROOT,
						"[grpc channel factory] scope cancelled -> the server saw its call cancelled in %.1f ms",
						(call.cancelledAt - cancelled) / 1e6));
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> result.get(20, TimeUnit.SECONDS))
					.satisfies((ex) -> {
						assertThat(ex.getCause()).isInstanceOf(StatusRuntimeException.class);
						assertThat(((StatusRuntimeException) ex.getCause()).getStatus().getCode())
							.isEqualTo(Status.Code.CANCELLED);
						assertThat(ScopeCancelledException.findIn(ex.getCause())).as("the scope's exception as the cause")
							.isNotNull()
							.satisfies((cause) -> assertThat(cause.reason()).isEqualTo(CancellationReason.CANCELLED));
					});
			}
		});
	}

	@Test
	void cancelsRacingWithAnswersLeaveEveryCallEndedOneWayOrTheOther() {
		this.contextRunner.run((context) -> {
			Channel channel = channel(context);
			CancellableScope application = context.getBean(CancellableScope.class);
			int threads = 8;
			int callsPerThread = 50;
			AtomicInteger answered = new AtomicInteger();
			AtomicInteger cancelled = new AtomicInteger();
			List<Throwable> unexpected = new CopyOnWriteArrayList<>();
			ExecutorService callers = Executors.newFixedThreadPool(threads);
			try {
				List<Future<?>> done = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					done.add(callers.submit(() -> {
						for (int i = 0; i < callsPerThread; i++) {
							String id = "race-" + Thread.currentThread().getName() + "-" + i;
							try (CancellableScope scope = application.openChild()) {
								ListenableFuture<String> call = scope.call(() -> ClientCalls
									.futureUnaryCall(channel.newCall(StringMethods.SLOW_REPORT, CallOptions.DEFAULT), id));
								// cancel at about the time the answer comes: before, during or after it
								LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(6_000_000));
								scope.cancel(CancellationReason.CANCELLED);
								try {
									assertThat(call.get(20, TimeUnit.SECONDS)).isEqualTo(id);
									answered.incrementAndGet();
								}
								catch (ExecutionException ex) {
									if (ex.getCause() instanceof StatusRuntimeException failed
											&& failed.getStatus().getCode() == Status.Code.CANCELLED
											&& ScopeCancelledException.findIn(failed) != null) {
										cancelled.incrementAndGet();
									}
									else {
										unexpected.add(ex.getCause());
									}
								}
							}
							catch (Throwable ex) {
								unexpected.add(ex);
							}
						}
					}));
				}
				for (Future<?> caller : done) {
					caller.get(120, TimeUnit.SECONDS);
				}
			}
			finally {
				callers.shutdownNow();
			}
			System.out.println(String.format(Locale.ROOT,
					"[grpc channel factory] storm: %d answered, %d cancelled by their scope", answered.get(),
					cancelled.get()));
			assertThat(unexpected).as("calls that ended otherwise").isEmpty();
			assertThat(answered.get() + cancelled.get()).isEqualTo(threads * callsPerThread);
			await("the server saw every call end").atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(raceCalls).hasValue(0));
		});
	}

	@Test
	void withCancelScopeDisabledTheFactorysChannelsAreLeftAlone() {
		this.contextRunner.withPropertyValues("cancelscope.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ScopedClientInterceptor.class);
			Channel channel = channel(context);
			try (CancellableScope root = CancellableScope.root(ScopeSettings.defaults());
					CancellableScope scope = root.openChild(Duration.ofSeconds(60))) {
				assertThat(scope.call(() -> ClientCalls.blockingUnaryCall(channel, StringMethods.SLOW_REPORT,
						CallOptions.DEFAULT, "deadline")))
					.as("no interceptor, so the scope's deadline does not travel")
					.isEqualTo("none");
			}
		});
	}

	private static void assertDeadlineExceeded(StatusRuntimeException ex) {
		assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
		assertThat(ScopeCancelledException.findIn(ex)).as("the scope's exception as the cause")
			.isNotNull()
			.satisfies((cause) -> assertThat(cause.reason()).isEqualTo(CancellationReason.DEADLINE_EXCEEDED));
	}

	/**
	 * A channel to the test server, built by the channel factory Spring gRPC's auto-configuration made.
	 */
	private static Channel channel(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return context.getBean(GrpcChannelFactory.class).createChannel("localhost:" + server.getPort());
	}

	/**
	 * What the server saw of one held call.
	 */
	private static final class Call {

		private static final Map<String, Call> all = new ConcurrentHashMap<>();

		final CountDownLatch started = new CountDownLatch(1);

		final CompletableFuture<Status.Code> cancelled = new CompletableFuture<>();

		volatile Deadline deadline;

		volatile long cancelledAt;

		static Call of(String id) {
			return all.computeIfAbsent(id, (key) -> new Call());
		}

		Call awaitStarted() throws InterruptedException {
			if (!this.started.await(20, TimeUnit.SECONDS)) {
				fail("the server never saw the call");
			}
			return this;
		}

		Status.Code awaitCancelled() throws InterruptedException, ExecutionException {
			try {
				return this.cancelled.get(20, TimeUnit.SECONDS);
			}
			catch (TimeoutException ex) {
				return fail("the server did not see the call cancelled within 20 s");
			}
		}

	}

}
