package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.autoconfigure.web.servlet.disconnect.DisconnectTestApplication.Handled;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An asynchronous request stays watched after its handler returns and its thread, Tomcat's only
 * one here, serves other requests: the watch of a request that went asynchronous is handed from its
 * thread's slot to the watcher's queue when the thread starts its next request. The grace is long,
 * so that the thread moves on before the watcher would have taken the watch from the slot itself.
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.tomcat.threads.max=1", "server.tomcat.threads.min-spare=1",
				"cancelscope.request.disconnect.grace=1s" })
class TomcatAsyncClientDisconnectTests {

	private static final AtomicInteger ids = new AtomicInteger();

	@LocalServerPort
	private int port;

	@Test
	void asynchronousRequestIsCancelledWhenItsClientGoesAwayAfterItsThreadServedOthers() throws Exception {
		String id = "async-" + ids.incrementAndGet();
		try (RawConnection connection = RawConnection.open(this.port)) {
			Handled handled = startAsync(connection, id);
			for (int i = 0; i < 3; i++) {
				String other = "other-" + ids.incrementAndGet();
				try (RawConnection next = RawConnection.open(this.port)) {
					next.send(get("/hello?id=" + other));
					assertThat(next.read().body()).isEqualTo("hello " + other);
				}
			}
			assertThat(handled.hasEnded()).as("the asynchronous request ended early").isFalse();
			connection.fin();
			assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	@Test
	void asynchronousRequestIsCancelledWhenItsClientGoesAwayWhileItsThreadIdles() throws Exception {
		String id = "async-idle-" + ids.incrementAndGet();
		try (RawConnection connection = RawConnection.open(this.port)) {
			Handled handled = startAsync(connection, id);
			connection.rst();
			assertThat(handled.awaitEnded()).isEqualTo("CLIENT_DISCONNECTED");
		}
	}

	private static Handled startAsync(RawConnection connection, String id) throws Exception {
		connection.send(get("/async?id=" + id));
		return Handled.of(id).awaitStarted();
	}

}
