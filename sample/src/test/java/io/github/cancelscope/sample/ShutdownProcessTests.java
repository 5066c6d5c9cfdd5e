package io.github.cancelscope.sample;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failure mode 3: the sample in a JVM of its own receives SIGTERM or SIGINT while requests are in
 * flight, or while a start-up step runs.
 */
class ShutdownProcessTests {

	private static final Duration GRACE = Duration.ofSeconds(1);

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final Duration LIFECYCLE_START = Duration.ofSeconds(8);

	@Test
	void sigtermCancelsRequestsStillRunningAfterTheGraceAndFreesThePort() throws Exception {
		shutDownWhileRequestsAreInFlight("TERM", 143);
	}

	@Test
	void sigintCancelsRequestsStillRunningAfterTheGraceAndFreesThePort() throws Exception {
		shutDownWhileRequestsAreInFlight("INT", 130);
	}

	private void shutDownWhileRequestsAreInFlight(String signal, int exitCode) throws Exception {
		try (SampleProcess sample = SampleProcess.start("--cancelscope.shutdown.grace=" + GRACE.toMillis() + "ms",
				"--cancelscope.request.timeout=60s")) {
			sample.awaitStarted(STARTUP);
			CompletableFuture<HttpResponse<String>> long1 = sample.getAsync("/slow?duration=30s&name=long-1");
			CompletableFuture<HttpResponse<String>> long2 = sample.getAsync("/slow?duration=30s&name=long-2");
			sample.awaitRunning(Duration.ofSeconds(20), "long-1", "long-2");
			CompletableFuture<HttpResponse<String>> quick = sample.getAsync("/slow?duration=600ms&name=quick");
			sample.awaitRunning(Duration.ofSeconds(20), "quick");

			sample.signal(signal);

			assertThat(sample.awaitExit(GRACE.plusSeconds(2))).as("exit code, within grace + 2 s\n%s", sample.output())
				.isEqualTo(exitCode);
			assertThat(sample.portIsFree()).as("port free right after exit").isTrue();
			assertThat(sample.output()).contains("cleanup ran: long-1", "cleanup ran: long-2", "cleanup ran: quick");
			assertThat(quick.get(5, TimeUnit.SECONDS).statusCode()).as("finished within the grace").isEqualTo(200);
			assertThat(quick.get().body()).isEqualTo("quick done after 600 ms");
			for (CompletableFuture<HttpResponse<String>> cancelled : java.util.List.of(long1, long2)) {
				HttpResponse<String> response = cancelled.get(5, TimeUnit.SECONDS);
				assertThat(response.statusCode()).isEqualTo(503);
				assertThat(response.body()).contains("\"reason\":\"SHUTDOWN\"");
			}
		}
	}

	@Test
	void sigintDuringASlowStartupStepStopsItRunsItsCleanupAndFreesThePort() throws Exception {
		try (SampleProcess sample = SampleProcess.start("--sample.startup-delay=10s")) {
			sample.awaitOutput("startup started", STARTUP);

			sample.signal("INT");

			assertThat(sample.awaitExit(Duration.ofSeconds(2))).as("exit code, within 2 s\n%s", sample.output())
				.isEqualTo(130);
			assertThat(sample.portIsFree()).isTrue();
			assertThat(sample.output()).contains("startup cancelled", "cleanup ran: startup");
		}
	}

	/**
	 * Tomcat answers while a lifecycle bean of a later phase still starts. Spring's shutdown hook
	 * waits for that start to end and then either closes the context as usual or, about as often
	 * here, gives it up without the shutdown (without cancelscope's shutdown handler, its request's
	 * cleanup then never ran: two of three runs); either way the request's work stops and its cleanup
	 * runs before the JVM exits.
	 */
	@Test
	void sigtermWhileTheApplicationIsStillStartingEndsTheRequestsItServesAndRunsTheirCleanups() throws Exception {
		try (SampleProcess sample = SampleProcess.start("--sample.lifecycle-start-delay=" + LIFECYCLE_START.toMillis()
				+ "ms", "--cancelscope.shutdown.grace=" + GRACE.toMillis() + "ms", "--cancelscope.request.timeout=60s")) {
			sample.awaitOutput("lifecycle start began", STARTUP);
			CompletableFuture<HttpResponse<String>> request = sample.getAsync("/slow?duration=60s&name=long-1");
			sample.awaitOutput("long-1 started", Duration.ofSeconds(20));

			sample.signal("TERM");

			assertThat(sample.awaitExit(LIFECYCLE_START.plus(GRACE).plusSeconds(10)))
				.as("exit code, within the start's delay + grace + 10 s\n%s", sample.output())
				.isEqualTo(143);
			assertThat(sample.portIsFree()).isTrue();
			assertThat(sample.output()).as("the request's work stopped").contains("cleanup ran: long-1");
			HttpResponse<String> response;
			try {
				response = request.get(5, TimeUnit.SECONDS);
			}
			catch (ExecutionException ex) {
				// a context given up has its web server stopped at once: the connection closes
				// before the answer, but the work's result is never sent
				assertThat(ex).hasRootCauseInstanceOf(IOException.class);
				return;
			}
			assertThat(response.statusCode()).isEqualTo(503);
			assertThat(response.body()).contains("\"reason\":\"SHUTDOWN\"");
		}
	}

	@Test
	void sigtermCancelsAScheduledRunStillGoingAfterTheGrace() throws Exception {
		try (SampleProcess sample = SampleProcess.start("--sample.report-query=60s",
				"--cancelscope.shutdown.grace=" + GRACE.toMillis() + "ms")) {
			sample.awaitStarted(STARTUP);
			sample.awaitOutput("report started", STARTUP);

			sample.signal("TERM");

			assertThat(sample.awaitExit(GRACE.plusSeconds(5))).as("exit code, within grace + 5 s\n%s", sample.output())
				.isEqualTo(143);
			assertThat(sample.portIsFree()).isTrue();
			assertThat(sample.output()).contains("report cancelled after", "cleanup ran: report",
					"Scheduled run of ScheduledReport.report cancelled by shutdown");
		}
	}

	@Test
	void withoutCancelscopeShutdownWaitsOutItsPhaseTimeoutAndTheScheduledRunNeverEnds() throws Exception {
		try (SampleProcess sample = SampleProcess.start("--sample.report-query=60s", "--cancelscope.enabled=false",
				"--spring.lifecycle.timeout-per-shutdown-phase=2s")) {
			sample.awaitStarted(STARTUP);
			sample.awaitOutput("report started", STARTUP);

			sample.signal("TERM");

			assertThat(sample.awaitExit(Duration.ofSeconds(30))).as("exit code\n%s", sample.output()).isEqualTo(143);
			assertThat(sample.output()).as("the scheduler waited for the run until the phase timed out")
				.contains("ends with 1 bean still running after timeout of 2000ms: [taskScheduler]")
				.doesNotContain("report cancelled", "report completed", "cleanup ran: report");
		}
	}

}
