package io.github.cancelscope.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Subtask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * This module's Spring tests run with cancelscope-test's leak check, which registers itself because
 * cancelscope-test is on the test classpath. These tests run Spring tests of an application with the
 * starter and show what the check reports there: work that escaped its request (which the starter
 * cannot cancel) and a request still running after its client gave up; forks, which end with their
 * request, pass.
 */
class LeakCheckDogfoodTests {

	static volatile CountDownLatch release = new CountDownLatch(1);

	static final AtomicInteger running = new AtomicInteger();

	@BeforeEach
	void newLatch() {
		release = new CountDownLatch(1);
	}

	@AfterEach
	void endWhatWasLeaked() throws InterruptedException {
		release.countDown();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (running.get() > 0) {
			assertThat(System.nanoTime()).as("leaked work ended after its release").isLessThan(deadline);
			Thread.sleep(5);
		}
	}

	@Test
	void workThatEscapesItsRequestThroughRunAsyncFailsTheTestWithItsStack() {
		String report = failure(run(EscapesThroughRunAsync.class));
		assertThat(report).contains("1 leak(s) after EscapesThroughRunAsync.test()")
			.contains("is still running")
			.contains("at java.base/java.util.concurrent.CompletableFuture$AsyncRun.run(")
			.contains("at " + Endpoints.class.getName() + ".lambda$escape$");
	}

	@Test
	void aRequestStillRunningAfterItsClientGaveUpFailsTheTestNamingItsScope() {
		String report = failure(run(LeavesARequestRunning.class));
		assertThat(report).contains("scope request GET /stuck (id ")
			.contains("is still open, cancelled (CLIENT_DISCONNECTED)")
			.contains("at " + Endpoints.class.getName() + ".stuck(");
	}

	@Test
	void forksEndWithTheirRequestSoTheTestPasses() {
		TestExecutionSummary summary = run(ForksAndJoins.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
	}

	private static TestExecutionSummary run(Class<?> testClass) {
		SummaryGeneratingListener listener = new SummaryGeneratingListener();
		LauncherFactory.create()
			.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), listener);
		return listener.getSummary();
	}

	private static String failure(TestExecutionSummary summary) {
		assertThat(summary.getFailures()).as("failures of the inner test").hasSize(1);
		Throwable failure = summary.getFailures().get(0).getException();
		assertThat(failure).isInstanceOf(AssertionError.class);
		return failure.getMessage();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Endpoints.class)
	static class LeakyApplication {

	}

	@RestController
	static class Endpoints {

		private final RequestScope scope;

		Endpoints(RequestScope scope) {
			this.scope = scope;
		}

		@GetMapping("/escape")
		String escape() {
			running.incrementAndGet();
			CompletableFuture.runAsync(() -> {
				try {
					release.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				finally {
					running.decrementAndGet();
				}
			});
			return "sent";
		}

		@GetMapping("/stuck")
		String stuck() throws InterruptedException {
			running.incrementAndGet();
			try {
				// deaf to its scope: nothing here asks whether the request was cancelled
				release.await(60, TimeUnit.SECONDS);
				return "late";
			}
			finally {
				running.decrementAndGet();
			}
		}

		@GetMapping("/fork")
		Integer fork() {
			List<Subtask<Integer>> parts = List.of(this.scope.fork(() -> 1), this.scope.fork(() -> 2));
			return parts.stream().mapToInt(Subtask::join).sum();
		}

	}

	@SpringBootTest(classes = LeakyApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = "cancelscope.test.leak-check.grace=300ms")
	abstract static class Requests {

		static final HttpClient client = HttpClient.newHttpClient();

		@LocalServerPort
		int port;

		HttpResponse<String> get(String path, Duration timeout) throws Exception {
			return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
				.timeout(timeout)
				.build(), HttpResponse.BodyHandlers.ofString());
		}

	}

	static class EscapesThroughRunAsync extends Requests {

		@Test
		void test() throws Exception {
			assertThat(get("/escape", Duration.ofSeconds(30)).body()).isEqualTo("sent");
		}

	}

	static class LeavesARequestRunning extends Requests {

		@Test
		void test() throws Exception {
			assertThatExceptionOfType(HttpTimeoutException.class).isThrownBy(() -> get("/stuck", Duration.ofMillis(300)));
			// the client is gone; its request is not
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (running.get() == 0 && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
		}

	}

	static class ForksAndJoins extends Requests {

		@Test
		void test() throws Exception {
			assertThat(get("/fork", Duration.ofSeconds(30)).body()).isEqualTo("3");
		}

	}

}
