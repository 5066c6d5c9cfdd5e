package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.cancelscope.autoconfigure.web.servlet.disconnect.Http11ClientDisconnectTests.Close;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.ReverseProxyDisconnectTests.Aborted;
import io.github.cancelscope.autoconfigure.web.servlet.disconnect.ServiceToServiceDisconnectTests.ServiceA;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path a browser's abort takes in a small system: client → nginx → service A →
 * (RestClient, with the deadline header) → service B (this test's application) → PostgreSQL. The
 * client goes away; nginx closes its connection to A, A's scope is cancelled and aborts its call, B
 * sees its client go away, and B's query stops on the server. No hop knows about the next one's
 * scope: each learns from a closed connection.
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ThreeHopChainTests {

	private static final int RUNS = 20;

	@LocalServerPort
	private int port;

	@Test
	void clientGoingAwayStopsTheQueryTwoServicesAway() throws Exception {
		try (ConfigurableApplicationContext serviceA = new SpringApplicationBuilder(ServiceA.class).run(
				"--server.port=0", "--service-b.url=http://localhost:" + this.port,
				// far beyond the test: what stops B's query is the client going away
				"--cancelscope.request.timeout=60s");
				ReverseProxy nginx = ReverseProxy.nginx(
						((WebServerApplicationContext) serviceA).getWebServer().getPort())) {
			List<Double> millis = new ArrayList<>();
			for (int run = 0; run < RUNS; run++) {
				String id = "chain-" + run;
				Aborted aborted = ReverseProxyDisconnectTests.abortOnceRunning(nginx.port(),
						"/call-b?path=/postgres%3Fid%3D" + id, id, (run % 2 == 0) ? Close.FIN : Close.RST);
				millis.add(aborted.millisToStop());
				assertThat(aborted.handled().awaitEnded()).as("why B's scope ended in run %d", run)
					.isEqualTo("CLIENT_DISCONNECTED");
			}
			millis.sort(null);
			System.out.println(String.format(Locale.ROOT,
					"[chain] client close -> B's query stopped, %d runs: p50 %.1f ms, p99 %.1f ms, max %.1f ms", RUNS,
					millis.get(RUNS / 2), millis.get((int) Math.ceil(RUNS * 0.99) - 1), millis.get(RUNS - 1)));
		}
	}

}
