package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.sun.management.UnixOperatingSystemMXBean;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.DisconnectTestApplication.Handled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A storm of client closes: {@value #CLIENTS} keep-alive HTTP/1.1 connections to Tomcat (on its
 * platform threads, the default), each with a request blocked in its handler, closed all at once,
 * half with FIN and half with RST. Every request is cancelled, and the cancellations run on the
 * watcher's bounded pool: the JVM's peak thread count during the storm stays far below one thread
 * per close. The handler's cancellation listener takes {@value #LISTENER_MILLIS} ms, as a slow
 * database round trip would: an unbounded pool (the watcher before issue 17) then needs hundreds of
 * threads at once (measured: +60 with a 5 ms listener, +132 with 20 ms), where the bounded
 * one adds its 4.
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.tomcat.threads.max=" + (DisconnectStormTests.CLIENTS + 50),
				"server.tomcat.max-connections=" + (2 * DisconnectStormTests.CLIENTS),
				"server.tomcat.accept-count=" + DisconnectStormTests.CLIENTS,
				"server.tomcat.max-keep-alive-requests=-1",
				// Tomcat keeps the 2000 workers the storm made it start, for the requests to come
				"cancelscope.test.leak-check.allowed-threads=http-nio-*-exec-*" })
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DisconnectStormTests {

	static final int CLIENTS = 2000;

	static final long LISTENER_MILLIS = 20;

	/**
	 * The watcher's 4 threads and room for whatever else the JVM starts meanwhile; far below what an
	 * unbounded pool starts.
	 */
	private static final int MOST_NEW_THREADS = 50;

	/** Two sockets a client (its own and the server's), and room for the JVM's other files. */
	private static final long FILES_PER_CLIENT = 2;

	private static final long OTHER_FILES = 1000;

	@LocalServerPort
	private int port;

	@Autowired
	private ContainerDisconnectWatch watch;

	@Test
	void twoThousandClosesAtOnceCancelEveryRequestOnAFewThreads() throws Exception {
		int clients = clientsThisProcessCanOpen();
		List<RawConnection> connections = new ArrayList<>(clients);
		List<Handled> handled = new ArrayList<>(clients);
		try {
			for (int i = 0; i < clients; i++) {
				String id = "storm-" + i;
				connections.add(RawConnection.open(this.port)
					.send(get("/sleep-slow-cancel?id=" + id + "&listenerMillis=" + LISTENER_MILLIS)));
				handled.add(Handled.of(id));
			}
			for (Handled each : handled) {
				each.awaitStarted();
			}
			await("every connection watched").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> this.watch.selectedConnections() == clients);
			ThreadMXBean threads = ManagementFactory.getThreadMXBean();
			int before = threads.getThreadCount();
			threads.resetPeakThreadCount();
			long start = System.nanoTime();
			for (int i = 0; i < clients; i++) {
				if (i % 2 == 0) {
					connections.get(i).fin();
				}
				else {
					connections.get(i).rst();
				}
			}
			Map<String, Integer> ends = new TreeMap<>();
			Map<String, Integer> cancellingThreads = new TreeMap<>();
			for (Handled each : handled) {
				ends.merge(each.awaitEnded(), 1, Integer::sum);
				cancellingThreads.merge(String.valueOf(each.cancelledOn).replaceAll("\\d+$", "N"), 1, Integer::sum);
			}
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			int peak = threads.getPeakThreadCount();
			System.out.println("[disconnect-storm] " + clients + " closes: threads before " + before + ", peak "
					+ peak + " (+" + (peak - before) + "); all cancelled after " + took.toMillis()
					+ " ms; ends " + ends + "; cancelled on " + cancellingThreads);
			assertThat(ends).as("how the requests' scopes ended").containsExactly(Map.entry("CLIENT_DISCONNECTED", clients));
			assertThat(peak - before).as("threads started during the storm of " + clients + " closes")
				.isLessThan(MOST_NEW_THREADS);
			assertThat(cancellingThreads.keySet()).as("threads that ran the cancellations")
				.allSatisfy((name) -> assertThat(name).startsWith("cancelscope-disconnect-"));
		}
		finally {
			for (RawConnection connection : connections) {
				closeQuietly(connection);
			}
		}
		await("every closed connection released by the watcher").atMost(Duration.ofSeconds(30))
			.until(() -> this.watch.selectedConnections() == 0);
	}

	/**
	 * Returns {@value #CLIENTS}, or fewer if this process may not open the files for them (then says
	 * so): the storm needs two sockets a client.
	 */
	private static int clientsThisProcessCanOpen() {
		OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		if (os instanceof UnixOperatingSystemMXBean unix) {
			long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - OTHER_FILES;
			if (free < FILES_PER_CLIENT * CLIENTS) {
				int clients = (int) Math.max(100, free / FILES_PER_CLIENT);
				System.out.println("[disconnect-storm] the file limit (ulimit -n " + unix.getMaxFileDescriptorCount()
						+ ") allows " + clients + " clients, not " + CLIENTS);
				return clients;
			}
		}
		return CLIENTS;
	}

	private static void closeQuietly(RawConnection connection) {
		try {
			connection.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
