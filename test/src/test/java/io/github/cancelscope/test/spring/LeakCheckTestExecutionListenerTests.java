package io.github.cancelscope.test.spring;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import io.github.cancelscope.test.AllowLeaks;
import io.github.cancelscope.test.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link LeakCheckTestExecutionListener}: Spring Boot tests of {@link LeakyApplication},
 * on a real Tomcat, H2 and a loopback HTTP server that stalls, run through the JUnit Platform
 * launcher. None of them asks for the check; the listener registers itself.
 */
class LeakCheckTestExecutionListenerTests {

	static HttpServer stallingServer;

	static final AtomicInteger callsReceived = new AtomicInteger();

	static volatile CountDownLatch stall = new CountDownLatch(1);

	static volatile HikariDataSource pool;

	@BeforeAll
	static void startStallingServer() throws IOException {
		stallingServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		AtomicInteger threads = new AtomicInteger();
		stallingServer.setExecutor(Executors.newCachedThreadPool(
				(task) -> new Thread(task, "stalling-server-" + threads.incrementAndGet())));
		stallingServer.createContext("/", (exchange) -> {
			callsReceived.incrementAndGet();
			Fixtures.awaitRelease(stall);
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		stallingServer.start();
		LeakyApplication.downstream = "http://127.0.0.1:" + stallingServer.getAddress().getPort() + "/mail";
	}

	@AfterAll
	static void stopStallingServer() {
		stall.countDown();
		stallingServer.stop(0);
	}

	@BeforeEach
	void reset() {
		LeakyApplication.reset();
		stall = new CountDownLatch(1);
		callsReceived.set(0);
	}

	@AfterEach
	void endLeaks() throws Exception {
		stall.countDown();
		LeakyApplication.endLeaks();
	}

	@Test
	void failsATestWhoseRequestLeftAPlatformThreadRunning() {
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAThread.class));
		assertThat(report).startsWith("1 leak(s) after LeaksAThread.test(): work outlived the test (waited 200 ms")
			.contains("1. thread \"report-writer\" #" + LeakyApplication.leakedThreads.get(0).getId()
					+ " (platform, TIMED_WAITING), started during the test, is still running")
			.contains("at " + Fixtures.class.getName() + ".awaitRelease(");
	}

	@Test
	void failsATestWhoseRequestLeftAVirtualThreadRunning() {
		assumeTrue(Runtime.version().feature() >= 21, "virtual threads exist from Java 21");
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAVirtualThread.class));
		assertThat(report).contains("thread \"virtual-report-writer\" #" + LeakyApplication.leakedThreads.get(0).getId()
				+ " (virtual, ")
			.contains("at " + Fixtures.class.getName() + ".awaitRelease(");
	}

	@Test
	void failsATestWhoseRequestLeftAPoolConnectionBorrowed() throws Exception {
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAConnection.class));
		assertThat(report).contains("1 leak(s) after LeaksAConnection.test()")
			.contains("connection(s) still borrowed, 0 before the test")
			.contains("pool " + pool.getPoolName() + " (bean dataSource): 1 connection(s)")
			.contains("spring.datasource.hikari.leak-detection-threshold");
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).as("connections borrowed from the pool").isOne();
		LeakyApplication.endLeaks();
		assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
	}

	@Test
	void failsATestWhoseRequestLeftARestClientCallInFlightOnAnUnboundExecutor() {
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAnOutboundCall.class));
		assertThat(callsReceived).as("calls the downstream server received").hasValue(1);
		assertThat(report).contains("thread \"mailer-1\"")
			.contains("started during the test, is still running")
			.contains("at org.springframework.web.client.DefaultRestClient")
			.contains("at org.springframework.http.client.JdkClientHttpRequest.executeInternal(");
	}

	@Test
	void failsATestWhoseRequestLeftAScopeOpenWithAForkRunningAndTracesTheForkToIt() {
		String report = Fixtures.failureMessage(Fixtures.run(LeaksAScope.class));
		String scopeId = LeakyApplication.leakedScopes.get(0).id();
		assertThat(report).contains("scope request GET /scope (id " + scopeId + ") is still open, open for ")
			.contains(", 1 fork(s) running")
			.contains("origin: fork of scope request GET /scope (id " + scopeId + ")");
	}

	@Test
	void passesTheTestsOfAnAppThatLeaksNothing() {
		TestExecutionSummary summary = Fixtures.run(CleanApp.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isEqualTo(3);
	}

	@Test
	void isSwitchedOffByOneProperty() {
		TestExecutionSummary summary = Fixtures.run(LeaksAThreadWithTheCheckOff.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
		assertThat(LeakyApplication.leakedThreads).singleElement().satisfies((thread) -> assertThat(thread.isAlive()).isTrue());
	}

	@Test
	void allowLeaksExemptsTheNamedThreads() {
		TestExecutionSummary summary = Fixtures.run(AllowsTheReportWriter.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
	}

	@Test
	void allowedThreadsPropertyExemptsTheNamedThreads() {
		TestExecutionSummary summary = Fixtures.run(AllowsTheReportWriterByProperty.class);
		assertThat(summary.getFailures()).isEmpty();
		assertThat(summary.getTestsSucceededCount()).isOne();
	}

	@SpringBootTest(classes = LeakyApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
			properties = "cancelscope.test.leak-check.grace=200ms")
	@AllowLeaks(threads = "stalling-server-*", reason = "the downstream server of these tests stalls on purpose")
	abstract static class LeakyRequests {

		private static final HttpClient client = HttpClient.newHttpClient();

		@LocalServerPort
		int port;

		@Autowired
		void rememberThePool(HikariDataSource dataSource) {
			pool = dataSource;
		}

		String get(String path) throws Exception {
			HttpResponse<String> response = client.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).as("status of GET " + path).isEqualTo(200);
			return response.body();
		}

	}

	static class LeaksAThread extends LeakyRequests {

		@Test
		void test() throws Exception {
			get("/thread");
		}

	}

	static class LeaksAVirtualThread extends LeakyRequests {

		@Test
		void test() throws Exception {
			get("/virtual-thread");
		}

	}

	static class LeaksAConnection extends LeakyRequests {

		@Test
		void test() throws Exception {
			get("/connection");
		}

	}

	static class LeaksAnOutboundCall extends LeakyRequests {

		@Test
		void test() throws Exception {
			get("/call");
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (callsReceived.get() == 0 && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
		}

	}

	static class LeaksAScope extends LeakyRequests {

		@Test
		void test() throws Exception {
			get("/scope");
		}

	}

	static class CleanApp extends LeakyRequests {

		@Test
		void fansOutTwoQueries() throws Exception {
			assertThat(get("/clean")).isEqualTo("11");
		}

		@Test
		void fansOutAgain() throws Exception {
			assertThat(get("/clean")).isEqualTo("11");
		}

		@Test
		void doesNothing() {
		}

	}

	@TestPropertySource(properties = "cancelscope.test.leak-check.enabled=false")
	static class LeaksAThreadWithTheCheckOff extends LeakyRequests {

		@Test
		void test() throws Exception {
			get("/thread");
		}

	}

	static class AllowsTheReportWriter extends LeakyRequests {

		@Test
		@AllowLeaks(threads = "report-*", reason = "the test of the exemption")
		void test() throws Exception {
			get("/thread");
		}

	}

	@TestPropertySource(properties = "cancelscope.test.leak-check.allowed-threads=mailer-*, report-writer")
	static class AllowsTheReportWriterByProperty extends LeakyRequests {

		@Test
		void test() throws Exception {
			get("/thread");
		}

	}

}
