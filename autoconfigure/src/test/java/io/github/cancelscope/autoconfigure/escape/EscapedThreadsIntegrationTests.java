package io.github.cancelscope.autoconfigure.escape;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.test.AllowLeaks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Threads that a request starts and that outlive it, on a real Tomcat with real HTTP: counted as
 * {@code cancelscope.escaped} and listed by the actuator endpoint with their stacks and the place
 * that started them; a request that only forks reports nothing.
 */
@SpringBootTest(classes = EscapedThreadsIntegrationTests.LeakyApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cancelscope.escaped.enabled=true", "management.endpoints.web.exposure.include=cancelscope" })
@AllowLeaks(threads = "escapee-*", reason = "each test ends its escaped thread itself; the check must not race it")
class EscapedThreadsIntegrationTests {

	/** What escaped threads wait for; a new one for each test. */
	static volatile CountDownLatch release = new CountDownLatch(1);

	/** Counted down by each escaped thread once it waits. */
	static volatile CountDownLatch waiting = new CountDownLatch(1);

	static final List<Thread> started = new CopyOnWriteArrayList<>();

	private final HttpClient client = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private EscapeWatch watch;

	@BeforeEach
	void holdEscapedThreads() {
		release = new CountDownLatch(1);
		waiting = new CountDownLatch(1);
	}

	@AfterEach
	void endEscapedThreads() throws InterruptedException {
		release.countDown();
		for (Thread thread : started) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
			assertThat(thread.isAlive()).as("%s ended", thread).isFalse();
		}
		started.clear();
	}

	@Test
	void platformThreadThatOutlivesItsRequestIsCountedAndListedWithItsStackAndWhereItStarted() throws Exception {
		double before = escaped("platform");
		assertThat(get("/leak/platform").statusCode()).isEqualTo(200);
		awaitChecks();
		assertThat(escaped("platform") - before).isEqualTo(1);
		Map<String, Object> listed = listed("escapee-platform");
		assertThat(listed.get("virtual")).isEqualTo(false);
		assertThat(listed.get("scopeKind")).isEqualTo("request");
		assertThat(listed.get("scopeDescription")).isEqualTo("GET /leak/platform");
		assertThat(listed.get("startedOn")).asString().startsWith("http-nio-");
		assertThat(frames(listed, "stack")).as("where it is now")
			.anyMatch((frame) -> frame.contains("LeakyHandlers.waitForRelease"));
		assertThat(frames(listed, "startedFrom")).as("where the request started it")
			.anyMatch((frame) -> frame.contains("LeakyHandlers.leakPlatform"));
	}

	@Test
	void virtualThreadThatOutlivesItsRequestIsCountedAndListed() throws Exception {
		assumeTrue(Runtime.version().feature() >= 21, "virtual threads need Java 21");
		double before = escaped("virtual");
		assertThat(get("/leak/virtual").statusCode()).isEqualTo(200);
		// virtual threads are found in a thread dump taken on a background thread
		awaitChecks();
		assertThat(escaped("virtual") - before).isEqualTo(1);
		Map<String, Object> listed = listed("escapee-virtual");
		assertThat(listed.get("virtual")).isEqualTo(true);
		assertThat(listed.get("scopeDescription")).isEqualTo("GET /leak/virtual");
		assertThat(frames(listed, "stack")).anyMatch((frame) -> frame.contains("LeakyHandlers.waitForRelease"));
		assertThat(frames(listed, "startedFrom")).anyMatch((frame) -> frame.contains("LeakyHandlers.leakVirtual"));
	}

	@Test
	void threadStartedInAForkIsCountedWithTheForksThreadAsWhereItStarted() throws Exception {
		double before = escaped("platform");
		assertThat(get("/leak/from-fork").statusCode()).isEqualTo(200);
		awaitChecks();
		assertThat(escaped("platform") - before).isEqualTo(1);
		Map<String, Object> listed = listed("escapee-from-fork");
		assertThat(listed.get("scopeDescription")).isEqualTo("GET /leak/from-fork");
		assertThat(listed.get("startedOn")).asString().doesNotStartWith("http-nio-");
	}

	@Test
	void requestThatOnlyForksAndJoinsReportsNothing() throws Exception {
		double platform = escaped("platform");
		double virtual = escaped("virtual");
		long births = this.watch.births.sum();
		int listed = escapedList().size();
		for (int i = 0; i < 20; i++) {
			assertThat(get("/forks").statusCode()).isEqualTo(200);
		}
		awaitChecks();
		assertThat(this.watch.births.sum()).as("cancelscope's own fork threads are not births").isEqualTo(births);
		assertThat(escaped("platform")).isEqualTo(platform);
		assertThat(escaped("virtual")).isEqualTo(virtual);
		assertThat(escapedList()).hasSize(listed);
	}

	@Test
	void threadThatEndsBeforeItsRequestIsNotCounted() throws Exception {
		double before = escaped("platform");
		long births = this.watch.births.sum();
		assertThat(get("/joined").statusCode()).isEqualTo(200);
		awaitChecks();
		assertThat(this.watch.births.sum() - births).as("the thread was seen being started").isEqualTo(1);
		assertThat(escaped("platform")).isEqualTo(before);
	}

	private void awaitChecks() throws InterruptedException {
		assertThat(this.watch.awaitChecks(30, TimeUnit.SECONDS))
			.as("every request has ended and its threads are checked within 30 s")
			.isTrue();
	}

	private double escaped(String thread) {
		Counter counter = this.meters.find(EscapeCounter.METER_NAME).tags("kind", "request", "thread", thread).counter();
		return (counter != null) ? counter.count() : 0;
	}

	@SuppressWarnings("unchecked")
	private List<Map<String, Object>> escapedList() throws Exception {
		HttpResponse<String> response = get("/actuator/cancelscope");
		assertThat(response.statusCode()).isEqualTo(200);
		Map<String, Object> body = JsonParserFactory.getJsonParser().parseMap(response.body());
		return (List<Map<String, Object>>) body.get("escaped");
	}

	private Map<String, Object> listed(String threadName) throws Exception {
		return escapedList().stream()
			.filter((escaped) -> threadName.equals(escaped.get("threadName")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("The endpoint does not list " + threadName));
	}

	@SuppressWarnings("unchecked")
	private static List<String> frames(Map<String, Object> escaped, String key) {
		return (List<String>) escaped.get(key);
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(60))
			.build();
		return this.client.send(request, HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(LeakyHandlers.class)
	static class LeakyApplication {

	}

	@RestController
	static class LeakyHandlers {

		private final RequestScope scope;

		LeakyHandlers(RequestScope scope) {
			this.scope = scope;
		}

		@GetMapping("/leak/platform")
		String leakPlatform() throws InterruptedException {
			Thread thread = new Thread(LeakyHandlers::waitForRelease, "escapee-platform");
			started.add(thread);
			thread.start();
			return awaitWaiting();
		}

		@GetMapping("/leak/virtual")
		String leakVirtual() throws ReflectiveOperationException, InterruptedException {
			// Thread.ofVirtual() is Java 21; these tests compile for 17
			Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			builder = builderType.getMethod("name", String.class).invoke(builder, "escapee-virtual");
			Thread thread = (Thread) builderType.getMethod("start", Runnable.class)
				.invoke(builder, (Runnable) LeakyHandlers::waitForRelease);
			started.add(thread);
			return awaitWaiting();
		}

		@GetMapping("/leak/from-fork")
		String leakFromFork() {
			return this.scope.fork(() -> {
				Thread thread = new Thread(LeakyHandlers::waitForRelease, "escapee-from-fork");
				started.add(thread);
				thread.start();
				return awaitWaiting();
			}).join();
		}

		@GetMapping("/forks")
		String forks() {
			var first = this.scope.fork(() -> "a");
			var second = this.scope.fork(() -> "b");
			return first.join() + second.join();
		}

		@GetMapping("/joined")
		String joined() throws InterruptedException {
			Thread thread = new Thread(() -> {
			}, "escapee-joined");
			thread.start();
			thread.join();
			return "joined";
		}

		/** Returns once the escaped thread is inside {@link #waitForRelease}, so its stack shows it. */
		static String awaitWaiting() throws InterruptedException {
			if (!waiting.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The escaped thread did not start within 30 s");
			}
			return "leaked";
		}

		static void waitForRelease() {
			try {
				waiting.countDown();
				release.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
