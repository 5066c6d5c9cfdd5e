package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import io.github.cancelscope.autoconfigure.web.servlet.disconnect.DisconnectTestApplication.Handled;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.Response;

import static io.github.cancelscope.autoconfigure.web.servlet.disconnect.RawConnection.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What requests do on a server whose watcher is off: exactly what they do without it.
 */
final class FailSafeRequests {

	private FailSafeRequests() {
	}

	static void assertRequestsGoOnAsWithoutTheWatcher(int port, String prefix) throws Exception {
		try (RawConnection connection = RawConnection.open(port)) {
			for (int i = 0; i < 3; i++) {
				connection.send(get("/hello?id=" + prefix + "-hello-" + i));
				assertThat(connection.read().body()).isEqualTo("hello " + prefix + "-hello-" + i);
			}
			connection.send(get("/conflict"));
			Response conflict = connection.read();
			assertThat(conflict.status()).isEqualTo(409);
			assertThat(conflict.body()).isEqualTo("conflict: stock changed");
		}
		// a client that goes away is not noticed, as without the watcher: the handler runs on
		Handled handled = Handled.of(prefix + "-gone");
		try (RawConnection connection = RawConnection.open(port)) {
			connection.send(get("/sleep?id=" + handled.id));
			handled.awaitStarted();
		}
		Handled control = Handled.of(prefix + "-control");
		try (RawConnection connection = RawConnection.open(port)) {
			connection.send(get("/hello?id=" + control.id + "&lingerMillis=50"));
			assertThat(connection.read().body()).isEqualTo("hello " + control.id);
		}
		assertThat(handled.hasEnded()).isFalse();
		handled.release.countDown();
		assertThat(handled.awaitEnded()).isEqualTo("NONE");
	}

}
