package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.DisconnectTestApplication.Handled;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.get;
import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.post;
import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.postChunked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that goes away over HTTP/1.1 cancels its request; a healthy connection is never
 * harmed. Run against a real server on loopback with plain sockets; subclasses choose the server.
 */
abstract class Http11ClientDisconnectTests {

	/** Longer than any query or sleep of a request takes to stop, far shorter than they run for. */
	private static final Duration PATIENCE = Duration.ofSeconds(10);

	private static final AtomicInteger ids = new AtomicInteger();

	@LocalServerPort
	private int port;

	@Autowired
	private ContainerDisconnectWatch watch;

	enum Close {

		FIN, RST;

		void apply(RawConnection connection) throws IOException {
			if (this == FIN) {
				connection.fin();
			}
			else {
				connection.rst();
			}
		}

	}

	private String id(String what) {
		return getClass().getSimpleName() + "-" + what + "-" + ids.incrementAndGet();
	}

	@ParameterizedTest
	@EnumSource
	void sleepingHandlerIsCancelledWhenTheClientGoesAway(Close close) throws Exception {
		assertCancelledOnClose("/sleep", close);
	}

	@ParameterizedTest
	@EnumSource
	void forkedTaskIsCancelledWhenTheClientGoesAway(Close close) throws Exception {
		assertCancelledOnClose("/fork-sleep", close);
	}

	@ParameterizedTest
	@EnumSource
	void postgresQueryStopsOnTheServerWhenTheClientGoesAway(Close close) throws Exception {
		assertQueryStopsOnClose("/postgres?fork=false", close, EmbeddedPostgresServer::state);
		assertQueryStopsOnClose("/postgres?fork=true", close, EmbeddedPostgresServer::state);
	}

	@ParameterizedTest
	@EnumSource
	void h2QueryStopsWhenTheClientGoesAway(Close close) throws Exception {
		assertQueryStopsOnClose("/h2?fork=false", close, H2Database::state);
		assertQueryStopsOnClose("/h2?fork=true", close, H2Database::state);
	}

	/**
	 * Closes the connections of requests that are already watched, FIN and RST in turn. How long
	 * detection takes is measured by the benchmarks, not here.
	 */
	@Test
	void watchedRequestsAreCancelledWhenTheirClientsGoAway() throws Exception {
		for (int i = 0; i < 20; i++) {
			String id = id("watched");
			try (RawConnection connection = RawConnection.open(this.port)) {
				connection.send(get("/sleep?id=" + id));
				Handled handled = Handled.of(id).awaitStarted();
				awaitSelectedConnections(1, "the request's connection watched");
				((i % 2 == 0) ? Close.FIN : Close.RST).apply(connection);
				assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
			}
			awaitSelectedConnections(0, "the closed connection released");
		}
	}

	@Test
	void postWithContentLengthIsReadNormallyAndCancelledWhenTheClientGoesAway() throws Exception {
		String id = id("post");
		String body = "x".repeat(20_000);
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(post("/upload?id=" + id, body));
			Handled handled = Handled.of(id).awaitStarted();
			assertThat(handled.body).isEqualTo(body);
			connection.fin();
			assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	@Test
	void chunkedPostIsReadNormallyAndCancelledWhenTheClientGoesAway() throws Exception {
		String id = id("chunked");
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(postChunked("/upload?id=" + id, "first,", "second,", "third"));
			Handled handled = Handled.of(id).awaitStarted();
			assertThat(handled.body).isEqualTo("first,second,third");
			connection.rst();
			assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	@Test
	void halfCloseIsAClose_andNothingIsWrittenToTheGoneClient() throws Exception {
		String id = id("half-close");
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(get("/sleep?id=" + id));
			Handled handled = Handled.of(id).awaitStarted();
			connection.halfClose();
			assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
			assertThat(connection.readToEnd()).as("bytes written to a client that went away").isEmpty();
		}
	}

	@Test
	void keepAliveConnectionServesAThousandRequestsAndNoneIsCancelled() throws Exception {
		String prefix = id("keep-alive");
		List<Handled> handled = new ArrayList<>();
		try (RawConnection connection = RawConnection.open(this.port)) {
			for (int i = 0; i < 1000; i++) {
				// one in twenty runs past the grace, so the connection is watched and let go again
				String id = prefix + "-" + i;
				connection.send(get("/hello?id=" + id + ((i % 20 == 0) ? "&lingerMillis=25" : "")));
				Response response = connection.read();
				assertThat(response.status()).as(id).isEqualTo(200);
				assertThat(response.body()).isEqualTo("hello " + id);
				handled.add(Handled.of(id));
			}
		}
		for (Handled each : handled) {
			assertThat(each.awaitEnded()).as(each.id).isEqualTo("NONE");
		}
	}

	@Test
	void twoPipelinedGetsAreBothAnsweredAndNeitherIsCancelled() throws Exception {
		String first = id("pipelined-get");
		String second = id("pipelined-get");
		assertPipelinedPairAnswered(get("/hello?id=" + first + "&lingerMillis=40") + get("/hello?id=" + second),
				"hello " + first, first, "hello " + second, second);
	}

	@Test
	void pipelinedPostWithContentLengthAndGetAreBothAnswered() throws Exception {
		String first = id("pipelined-post");
		String second = id("pipelined-post");
		assertPipelinedPairAnswered(post("/echo?id=" + first + "&lingerMillis=40", "payload") + get("/hello?id=" + second),
				"echo payload", first, "hello " + second, second);
	}

	@Test
	void pipelinedChunkedPostAndGetAreBothAnswered() throws Exception {
		String first = id("pipelined-chunked");
		String second = id("pipelined-chunked");
		assertPipelinedPairAnswered(
				postChunked("/echo?id=" + first + "&lingerMillis=40", "pay", "load") + get("/hello?id=" + second),
				"echo payload", first, "hello " + second, second);
	}

	@Test
	void requestPipelinedWhileTheFirstIsWatchedIsLeftToTheServer() throws Exception {
		String first = id("late-pipelined");
		String second = id("late-pipelined");
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(get("/sleep?id=" + first));
			Handled handled = Handled.of(first).awaitStarted();
			awaitSelectedConnections(1, "the first request's connection watched");
			connection.send(get("/hello?id=" + second));
			// the watcher sees bytes queued, leaves them to the server and stops watching
			awaitSelectedConnections(0, "the watch given up for the queued request");
			handled.release.countDown();
			assertThat(connection.read().body()).isEqualTo("released " + first);
			assertThat(connection.read().body()).isEqualTo("hello " + second);
		}
		assertThat(Handled.of(first).awaitEnded()).isEqualTo("NONE");
		assertThat(Handled.of(second).awaitEnded()).isEqualTo("NONE");
	}

	@Test
	void clientThatReadsTheWholeResponseAndClosesDoesNotCancelTheRequest() throws Exception {
		String id = id("read-then-close");
		String control = id("control");
		try (RawConnection connection = RawConnection.open(this.port);
				RawConnection controlConnection = RawConnection.open(this.port)) {
			connection.send(get("/flush-then-work?id=" + id));
			controlConnection.send(get("/sleep?id=" + control));
			assertThat(connection.read().body()).isEqualTo("flushed " + id);
			Handled handled = Handled.of(id).awaitStarted();
			Handled controlHandled = Handled.of(control).awaitStarted();
			connection.fin();
			controlConnection.fin();
			// the later close was seen, so the earlier one was too
			assertThat(controlHandled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
			assertThat(handled.hasEnded()).isFalse();
			handled.release.countDown();
			assertThat(handled.awaitEnded()).isEqualTo("NONE");
		}
	}

	@Test
	void twoHundredConnectionsOfWhichHalfCloseAtOnce() throws Exception {
		warmUpCloses();
		long baselineFds = openFileDescriptors();
		Map<String, Long> baselineKinds = fileDescriptorKinds();
		long basePortFds = portFileDescriptors();
		String prefix = id("many");
		List<RawConnection> connections = new ArrayList<>();
		List<Handled> handled = new ArrayList<>();
		try {
			for (int i = 0; i < 200; i++) {
				RawConnection connection = RawConnection.open(this.port);
				connections.add(connection);
				connection.send(get("/sleep?id=" + prefix + "-" + i));
			}
			for (int i = 0; i < 200; i++) {
				handled.add(Handled.of(prefix + "-" + i).awaitStarted());
			}
			for (int i = 0; i < 200; i += 2) {
				((i % 4 == 0) ? Close.FIN : Close.RST).apply(connections.get(i));
			}
			for (int i = 0; i < 200; i += 2) {
				assertThat(handled.get(i).awaitEnded()).as(handled.get(i).id).isEqualTo("CLIENT_DISCONNECTED");
			}
			for (int i = 1; i < 200; i += 2) {
				assertThat(handled.get(i).hasEnded()).as(handled.get(i).id).isFalse();
				handled.get(i).release.countDown();
			}
			for (int i = 1; i < 200; i += 2) {
				assertThat(connections.get(i).read().body()).isEqualTo("released " + prefix + "-" + i);
				assertThat(handled.get(i).awaitEnded()).isEqualTo("NONE");
			}
		}
		finally {
			for (RawConnection connection : connections) {
				connection.close();
			}
		}
		awaitSelectedConnections(0, "no connection left registered with the watcher's selector");
		await().atMost(PATIENCE)
			.untilAsserted(() -> assertThat(closeWaitSockets()).as("server sockets in CLOSE_WAIT").isZero());
		await().atMost(PATIENCE)
			.untilAsserted(() -> assertThat(portFileDescriptors()).as("file descriptors of the server port's sockets")
				.isLessThanOrEqualTo(basePortFds));
		// Tomcat closes a socket on its poller's next round, within a second; other files (pools
		// growing, lazily opened jars) are noise, a handful at most
		await().atMost(PATIENCE)
			.untilAsserted(() -> assertThat(openFileDescriptors())
				.as(() -> "open file descriptors, " + baselineKinds + " before, " + fileDescriptorKinds() + " after")
				.isLessThanOrEqualTo(baselineFds + 10));
	}

	/**
	 * Closes a few watched connections, so that every lazily opened file (classes, selectors) is
	 * open before the file descriptor baseline is taken.
	 */
	private void warmUpCloses() throws Exception {
		for (Close close : Close.values()) {
			assertCancelledOnClose("/sleep", close);
		}
	}

	private void assertPipelinedPairAnswered(String requests, String firstBody, String firstId, String secondBody,
			String secondId) throws Exception {
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(requests);
			assertThat(connection.read().body()).isEqualTo(firstBody);
			assertThat(connection.read().body()).isEqualTo(secondBody);
			// the connection is still in step: a third request is answered too
			String third = id("after-pipelined");
			connection.send(get("/hello?id=" + third));
			assertThat(connection.read().body()).isEqualTo("hello " + third);
		}
		assertThat(Handled.of(firstId).awaitEnded()).isEqualTo("NONE");
		assertThat(Handled.of(secondId).awaitEnded()).isEqualTo("NONE");
	}

	private void assertCancelledOnClose(String path, Close close) throws Exception {
		String id = id(path.substring(1));
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(get(path + "?id=" + id));
			Handled handled = Handled.of(id).awaitStarted();
			close.apply(connection);
			assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	/**
	 * Closes the connection of a request whose query runs: the scope is cancelled and the backend
	 * goes idle, long before the query would have ended by itself. How soon is measured by the
	 * benchmarks, not here.
	 */
	private void assertQueryStopsOnClose(String target, Close close, BackendState backends) throws Exception {
		String id = id("query");
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(get(target + "&id=" + id));
			Handled handled = Handled.of(id).awaitStarted();
			awaitState(backends, handled.backend, (state) -> state.startsWith("active"), "running the query");
			close.apply(connection);
			awaitState(backends, handled.backend, (state) -> !state.startsWith("active"), "idle");
			assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	static String awaitState(BackendState backends, int backend, Predicate<String> condition, String expected) {
		return await("backend " + backend + " " + expected).atMost(PATIENCE)
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> backends.state(backend), condition);
	}

	private void awaitSelectedConnections(int count, String what) {
		await(what).atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(5))
			.untilAsserted(() -> assertThat(this.watch.selectedConnections()).as("connections the watcher selects on")
				.isEqualTo(count));
	}

	private long closeWaitSockets() throws IOException {
		String port = String.format(Locale.ROOT, ":%04X", this.port);
		long count = 0;
		for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] columns = line.trim().split("\\s+");
				if (columns.length > 3 && columns[1].endsWith(port) && columns[3].equals("08")) {
					count++;
				}
			}
		}
		return count;
	}

	/**
	 * Open file descriptors of this JVM (server and test client) that are sockets of connections
	 * to or from the server's port, its listening socket included.
	 */
	private long portFileDescriptors() {
		try {
			return portFileDescriptors(String.format(Locale.ROOT, ":%04X", this.port));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static long portFileDescriptors(String port) throws IOException {
		Set<String> inodes = new HashSet<>();
		for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] columns = line.trim().split("\\s+");
				if (columns.length > 9 && (columns[1].endsWith(port) || columns[2].endsWith(port))) {
					inodes.add("socket:[" + columns[9] + "]");
				}
			}
		}
		long count = 0;
		try (var fds = Files.list(Path.of("/proc/self/fd"))) {
			for (Path fd : fds.toList()) {
				try {
					count += inodes.contains(Files.readSymbolicLink(fd).toString()) ? 1 : 0;
				}
				catch (IOException ex) {
					// closed meanwhile
				}
			}
		}
		return count;
	}

	private static Map<String, Long> fileDescriptorKinds() {
		Map<String, Long> kinds = new TreeMap<>();
		try (var fds = Files.list(Path.of("/proc/self/fd"))) {
			for (Path fd : fds.toList()) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					kinds.merge(target.endsWith(".jar") ? "jar" : target.replaceAll("\\[\\d+\\]", ""), 1L,
							Long::sum);
				}
				catch (IOException ex) {
					// closed meanwhile
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return kinds;
	}

	private static long openFileDescriptors() {
		String[] fds = new File("/proc/self/fd").list();
		return (fds != null) ? fds.length : -1;
	}

	@FunctionalInterface
	interface BackendState {

		String state(int backend) throws SQLException;

	}

}
