package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.time.Duration;

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
 * A server whose connections cannot be reached (simulated): one warning at start-up, and requests
 * go on exactly as without the watcher.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = { DisconnectTestApplication.class, UnreachableServerFailSafeTests.Unreachable.class },
		webEnvironment = WebEnvironment.RANDOM_PORT)
class UnreachableServerFailSafeTests {

	static final String WARNING = "Client disconnects will not cancel request scopes: simulated: Tomcat internals moved";

	@LocalServerPort
	private int port;

	@Autowired
	private ContainerDisconnectWatch watch;

	@Test
	void warnsOnceAtStartUpAndRequestsGoOnAsWithoutTheWatcher(CapturedOutput output) throws Exception {
		assertThat(output.getOut().split(WARNING, -1)).as("warnings").hasSize(2);
		assertThat(this.watch.selectedConnections()).as("watcher off").isEqualTo(-1);
		FailSafeRequests.assertRequestsGoOnAsWithoutTheWatcher(this.port, "unreachable");
		assertThat(output.getOut().split(WARNING, -1)).as("warnings").hasSize(2);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Unreachable {

		@Bean
		ContainerDisconnectWatch failingWatch() {
			return new ContainerDisconnectWatch(Duration.ofMillis(10), (server) -> {
				throw new UnwatchableServerException("simulated: Tomcat internals moved");
			});
		}

	}

}
