package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.DisconnectTestApplication.Handled;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over HTTP/2 (h2c), a client that resets its stream or closes its connection cancels its request;
 * HTTP/1.1 requests on the same server behave as before. Subclasses choose the server.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class Http2ClientDisconnectTests {

	private static final AtomicInteger ids = new AtomicInteger();

	@LocalServerPort
	private int port;

	private final List<HttpClient> clients = new ArrayList<>();

	private String id(String what) {
		return getClass().getSimpleName() + "-" + what + "-" + ids.incrementAndGet();
	}

	/**
	 * A client whose connection is upgraded to HTTP/2 by a first request, so the requests of the
	 * test run on streams of an HTTP/2 connection.
	 */
	private HttpClient http2Client() throws Exception {
		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
		this.clients.add(client);
		String id = id("upgrade");
		HttpResponse<String> response = client.send(request("/hello?id=" + id), HttpResponse.BodyHandlers.ofString());
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(response.body()).isEqualTo("hello " + id);
		return client;
	}

	private HttpRequest request(String target) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + target))
			.timeout(Duration.ofSeconds(30))
			.build();
	}

	@AfterEach
	void closeClientsAndCheckTheLog(CapturedOutput output) {
		// Java 17 has no way to close an HttpClient: its connections go when it is collected
		this.clients.forEach(Http2ClientDisconnectTests::shutdownNow);
		assertThat(output).doesNotContain("IllegalStateException");
	}

	@Test
	void streamResetCancelsTheRequest() throws Exception {
		HttpClient client = http2Client();
		String id = id("reset");
		CompletableFuture<HttpResponse<String>> response = client.sendAsync(request("/sleep?id=" + id),
				HttpResponse.BodyHandlers.ofString());
		Handled handled = Handled.of(id).awaitStarted();
		response.cancel(true);
		assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		assertTheConnectionStillServes(client);
	}

	@Test
	void streamResetStopsThePostgresQuery() throws Exception {
		HttpClient client = http2Client();
		String id = id("reset-query");
		CompletableFuture<HttpResponse<String>> response = client.sendAsync(request("/postgres?id=" + id),
				HttpResponse.BodyHandlers.ofString());
		Handled handled = Handled.of(id).awaitStarted();
		Http11ClientDisconnectTests.awaitState(EmbeddedPostgresServer::state, handled.backend,
				(state) -> state.startsWith("active"), "running the query");
		response.cancel(true);
		Http11ClientDisconnectTests.awaitState(EmbeddedPostgresServer::state, handled.backend,
				(state) -> !state.startsWith("active"), "idle");
		assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "closes the connection with HttpClient.shutdownNow()")
	void connectionCloseCancelsTheRequestAndStopsItsQuery() throws Exception {
		HttpClient client = http2Client();
		String sleeping = id("close");
		String querying = id("close-query");
		client.sendAsync(request("/sleep?id=" + sleeping), HttpResponse.BodyHandlers.ofString());
		client.sendAsync(request("/h2?id=" + querying), HttpResponse.BodyHandlers.ofString());
		Handled sleepingHandled = Handled.of(sleeping).awaitStarted();
		Handled queryingHandled = Handled.of(querying).awaitStarted();
		Http11ClientDisconnectTests.awaitState(H2Database::state, queryingHandled.backend,
				(state) -> state.startsWith("active"), "running the query");
		shutdownNow(client);
		assertThat(sleepingHandled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		assertThat(queryingHandled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		Http11ClientDisconnectTests.awaitState(H2Database::state, queryingHandled.backend,
				(state) -> !state.startsWith("active"), "idle");
	}

	@Test
	void http11RequestsOnTheSameServerBehaveAsBefore() throws Exception {
		try (RawConnection connection = RawConnection.open(this.port)) {
			String id = id("http11");
			connection.send(get("/hello?id=" + id));
			assertThat(connection.read().body()).isEqualTo("hello " + id);
			connection.send(get("/conflict"));
			Response conflict = connection.read();
			assertThat(conflict.status()).as("@ExceptionHandler").isEqualTo(409);
			assertThat(conflict.body()).isEqualTo("conflict: stock changed");
			connection.send(get("/unhandled"));
			Response unhandled = connection.read();
			assertThat(unhandled.status()).as("error page").isEqualTo(500);
			assertThat(unhandled.body()).contains("\"status\":500", "\"path\":\"/unhandled\"");
		}
		// Tomcat closes a connection after a 500
		try (RawConnection connection = RawConnection.open(this.port)) {
			connection.send(get("/commit-then-change"));
			Response committed = connection.read();
			assertThat(committed.status()).as("status of the committed response").isEqualTo(200);
			assertThat(committed.headers()).doesNotContainKey("x-too-late");
			assertThat(committed.body()).isEqualTo("committed, then more");
		}
	}

	// HttpClient.shutdownNow() is Java 21, the tests compile for 17
	private static void shutdownNow(HttpClient client) {
		try {
			HttpClient.class.getMethod("shutdownNow").invoke(client);
		}
		catch (NoSuchMethodException ex) {
			// Java 17 to 20
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void assertTheConnectionStillServes(HttpClient client) throws Exception {
		String id = id("after-reset");
		HttpResponse<String> response = client.send(request("/hello?id=" + id), HttpResponse.BodyHandlers.ofString());
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(response.body()).isEqualTo("hello " + id);
		assertThat(Handled.of(id).awaitEnded()).isEqualTo("NONE");
	}

}
