package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A locator that cannot reach a request's connection (simulated): the watcher switches itself off
 * with one warning, and requests go on exactly as without it.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = { DisconnectTestApplication.class, UnreachableConnectionFailSafeTests.Failing.class },
		webEnvironment = WebEnvironment.RANDOM_PORT)
class UnreachableConnectionFailSafeTests {

	static final String WARNING = "Client disconnects will no longer cancel request scopes";

	@LocalServerPort
	private int port;

	@Autowired
	private ContainerDisconnectWatch watch;

	@Test
	void warnsOnceAndRequestsGoOnAsWithoutTheWatcher(CapturedOutput output) throws Exception {
		FailSafeRequests.assertRequestsGoOnAsWithoutTheWatcher(this.port, "unreachable-connection");
		assertThat(output.getOut().split(WARNING, -1)).as("warnings").hasSize(2);
		assertThat(output.getOut()).contains("simulated: no field 'hook'");
		assertThat(this.watch.selectedConnections()).as("watcher off").isEqualTo(-1);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Failing {

		@Bean
		ContainerDisconnectWatch failingWatch() {
			return new ContainerDisconnectWatch(Duration.ofMillis(10),
					(server) -> new ServerConnections((request) -> {
						throw new IllegalStateException("simulated: no field 'hook'");
					}, List.of()));
		}

	}

}
