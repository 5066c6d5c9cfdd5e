package io.github.cancelscope.test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link LeakCheck} used directly, without JUnit's extension.
 */
class LeakCheckTests {

	@Test
	void aNegativeGraceIsRefusedWithAMessageThatSaysSo() {
		assertThatIllegalArgumentException().isThrownBy(() -> LeakCheck.defaults().withGrace(Duration.ofMillis(-1)))
			.withMessageContaining("must not be negative");
	}

	@Test
	void aBlankThreadNamePatternIsRefusedWithAMessageThatSaysWhatToWrite() {
		assertThatIllegalArgumentException().isThrownBy(() -> LeakCheck.defaults().allowingThreads(List.of(" ")))
			.withMessageContaining("use '*' for any text");
	}

	@Test
	void threadNamePatternsMatchWholeNamesWithStarsForAnyText() {
		ThreadNamePatterns patterns = new ThreadNamePatterns(List.of("report-*", "*:housekeeper", "exact", "a.b(*"));
		assertThat(patterns.matches("report-writer-1")).isTrue();
		assertThat(patterns.matches("report-")).isTrue();
		assertThat(patterns.matches("HikariPool-1:housekeeper")).isTrue();
		assertThat(patterns.matches("exact")).isTrue();
		assertThat(patterns.matches("a.b(12)")).as("regex characters are literal").isTrue();
		assertThat(patterns.matches("axb(12)")).isFalse();
		assertThat(patterns.matches("exactly")).isFalse();
		assertThat(patterns.matches("my-report-writer")).isFalse();
	}

	@Test
	void reportsAThreadStartedAfterStartAndNothingOnceItEnded() throws InterruptedException {
		LeakCheck.Watch watch = LeakCheck.defaults().withGrace(Duration.ZERO).start();
		CountDownLatch release = new CountDownLatch(1);
		Thread thread = Fixtures.platformThread("direct-use", release);
		awaitWaiting(thread);
		try {
			assertThat(watch.leaks()).singleElement().satisfies((leak) -> {
				assertThat(leak.kind()).isEqualTo("thread");
				assertThat(leak.description()).startsWith("thread \"direct-use\" #" + thread.getId() + " (platform, ");
				assertThat(leak.stack()).anyMatch((frame) -> frame.contains("Fixtures.awaitRelease("));
			});
		}
		finally {
			release.countDown();
			Fixtures.end(thread);
		}
		assertThat(watch.leaks()).isEmpty();
	}

	@Test
	void leaksOfProbesAreReportedWithTheThreads() {
		LeakCheck.Watch watch = LeakCheck.defaults()
			.withGrace(Duration.ZERO)
			.start(() -> List.of(Leak.of("lock", "lock 'orders' is still held").withOrigin("OrderLocks.acquire")));
		assertThat(watch.leaks()).extracting(Leak::toString)
			.containsExactly("lock: lock 'orders' is still held (OrderLocks.acquire)");
	}

	@Test
	void theReportNamesTheThreadsStackInTheOrderTheJdkPrintsIt() throws InterruptedException {
		CountDownLatch release = new CountDownLatch(1);
		LeakCheck.Watch watch = LeakCheck.defaults().withGrace(Duration.ZERO).start();
		Thread thread = Fixtures.platformThread("stack-order", release);
		awaitWaiting(thread);
		try {
			String report = null;
			try {
				watch.verify("Direct.test()");
			}
			catch (AssertionError ex) {
				report = ex.getMessage();
			}
			assertThat(report).isNotNull();
			assertThat(report.indexOf("CountDownLatch.await(")).as("the innermost frame first")
				.isLessThan(report.indexOf("Fixtures.awaitRelease("));
		}
		finally {
			release.countDown();
		}
		Fixtures.end(thread);
	}

	private static void awaitWaiting(Thread thread) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (thread.getState() != Thread.State.TIMED_WAITING) {
			assertThat(System.nanoTime()).as("thread " + thread.getName() + " waits for its release").isLessThan(deadline);
			Thread.sleep(1);
		}
	}

}
