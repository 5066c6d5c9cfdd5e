package io.github.cancelscope.autoconfigure.web.client;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's {@code WebClient} (Reactor Netty), blocked on in a servlet handler, follows the
 * request's scope: its calls carry the deadline, fail at once in a cancelled scope, and are
 * cancelled with the scope, so the downstream server sees the connection close.
 */
@SpringBootTest(classes = WebClientApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class BlockingWebClientTests extends AbstractBlockingCallTests {

	@Override
	String handler(String path, String id) {
		return "/webclient?path=" + path + "&id=" + id;
	}

	@Test
	void callInACancelledScopeFailsWithoutConnecting() throws Exception {
		String id = newId();
		int connections = this.downstream.connections();
		HttpResponse<String> response = this.http.get("/webclient-pre-cancelled?id=" + id, null);
		assertThat(response.body()).isEqualTo("cancelled CANCELLED");
		assertThat(this.downstream.connections()).isEqualTo(connections);
		assertThat(this.downstream.exchange(id).hasArrived()).isFalse();
	}

}
