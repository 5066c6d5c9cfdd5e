package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.DisconnectTestApplication.Handled;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.Http11ClientDisconnectTests.Close;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client's abort behind a real reverse proxy on loopback: which proxies pass it on to the
 * application, so that the request's PostgreSQL query stops, and how the proxy's own timeout and
 * the request's deadline relate. Each test is one row of the README's proxy table; the times it
 * prints (close to the query's backend going idle) are the table's figures.
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "cancelscope.request.timeout=" + ReverseProxyDisconnectTests.DEADLINE_SECONDS + "s")
class ReverseProxyDisconnectTests {

	/** The request's deadline: long next to stopping a query, short next to the 30 s query. */
	static final int DEADLINE_SECONDS = 4;

	private static final AtomicInteger ids = new AtomicInteger();

	@LocalServerPort
	private int port;

	@Test
	void nginxPassesTheClientsAbortOnByDefault() throws Exception {
		try (ReverseProxy nginx = ReverseProxy.nginx(this.port)) {
			assertThat(abortThrough(nginx, "nginx default")).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	@Test
	void nginxIgnoringClientAbortsLeavesTheQueryRunningUntilTheDeadline() throws Exception {
		try (ReverseProxy nginx = ReverseProxy.nginx(this.port, "proxy_ignore_client_abort on;")) {
			assertThat(abortThrough(nginx, "nginx proxy_ignore_client_abort on")).isEqualTo("DEADLINE_EXCEEDED");
		}
	}

	@Test
	void haproxyKeepsTheServerConnectionByDefaultSoTheQueryRunsUntilTheDeadline() throws Exception {
		try (ReverseProxy haproxy = ReverseProxy.haproxy(this.port)) {
			assertThat(abortThrough(haproxy, "haproxy default")).isEqualTo("DEADLINE_EXCEEDED");
		}
	}

	@Test
	void haproxyWithAbortOnClosePassesTheClientsAbortOn() throws Exception {
		try (ReverseProxy haproxy = ReverseProxy.haproxy(this.port, "option abortonclose")) {
			assertThat(abortThrough(haproxy, "haproxy option abortonclose")).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	@Test
	void nginxTimeoutShorterThanTheDeadlineStopsTheQueryThroughTheClosedConnection() throws Exception {
		try (ReverseProxy nginx = ReverseProxy.nginx(this.port, "proxy_read_timeout 1s;")) {
			assertThat(waitThrough(nginx)).as("nginx's answer when its read timeout passed").isEqualTo(504);
		}
	}

	@Test
	void haproxyTimeoutShorterThanTheDeadlineStopsTheQueryThroughTheClosedConnection() throws Exception {
		try (ReverseProxy haproxy = ReverseProxy.haproxy(this.port, "timeout server 1s")) {
			assertThat(waitThrough(haproxy)).as("HAProxy's answer when its server timeout passed")
				.isEqualTo(504);
		}
	}

	@Test
	void proxyThatSendsItsBudgetGetsTheApplicationsOwnAnswerAtThatDeadline() throws Exception {
		try (ReverseProxy nginx = ReverseProxy.nginx(this.port, "proxy_set_header X-Request-Timeout-Ms 1000;",
				"proxy_read_timeout 10s;")) {
			String id = id();
			try (RawConnection client = RawConnection.open(nginx.port())) {
				client.send(get("/postgres?id=" + id));
				Handled handled = Handled.of(id).awaitStarted();
				RawConnection.Response response = client.read();
				assertThat(response.status()).as("the application's answer at the budget the proxy sent").isEqualTo(504);
				assertThat(response.headers().get("content-type")).startsWith("application/problem+json");
				assertQueryStopped(handled);
				assertThat(handled.awaitEnded()).isEqualTo("DEADLINE_EXCEEDED");
			}
		}
	}

	private String abortThrough(ReverseProxy proxy, String row) throws Exception {
		String id = id();
		Aborted aborted = abortOnceRunning(proxy.port(), "/postgres?id=" + id, id, Close.FIN);
		System.out.println(String.format(Locale.ROOT, "[proxy] %s: client close -> query stopped in %.1f ms", row,
				aborted.millisToStop()));
		return aborted.handled().awaitEnded();
	}

	/**
	 * Sends {@code target}, whose handler (here or further down a chain) runs a 30 s PostgreSQL
	 * query, closes the connection once the query runs, and waits for the query to stop.
	 * @param port where to send the request
	 * @param target the request target
	 * @param id the id the target gives the request that runs the query
	 * @param close how the client goes away
	 * @return the handler's record and the time from the close to the query's backend going idle
	 */
	static Aborted abortOnceRunning(int port, String target, String id, Close close) throws Exception {
		Handled handled;
		long closed;
		try (RawConnection client = RawConnection.open(port)) {
			client.send(get(target));
			handled = Handled.of(id).awaitStarted();
			closed = System.nanoTime();
			close.apply(client);
		}
		assertQueryStopped(handled);
		return new Aborted(handled, (System.nanoTime() - closed) / 1e6);
	}

	record Aborted(Handled handled, double millisToStop) {

	}

	/**
	 * Sends a request whose handler runs a 30 s query and waits for the proxy to give up on it.
	 * @return the status of the proxy's answer
	 */
	private int waitThrough(ReverseProxy proxy) throws Exception {
		String id = id();
		try (RawConnection client = RawConnection.open(proxy.port())) {
			client.send(get("/postgres?id=" + id));
			Handled handled = Handled.of(id).awaitStarted();
			int status = client.read().status();
			assertQueryStopped(handled);
			assertThat(handled.awaitEnded()).as("why the scope ended").isEqualTo("CLIENT_DISCONNECTED");
			return status;
		}
	}

	private static void assertQueryStopped(Handled handled) {
		// the query sleeps 30 s and the deadline is 4 s: idle within the wait means it was stopped
		String state = Http11ClientDisconnectTests.awaitState(EmbeddedPostgresServer::state, handled.backend,
				(now) -> !now.startsWith("active"), "idle");
		assertThat(state).startsWith("idle");
	}

	private static String id() {
		return "proxy-" + ids.incrementAndGet();
	}

}
