package io.github.cancelscope.autoconfigure.web.client;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * An {@code @HttpExchange} client proxied on Spring Boot's {@code RestClient} inherits the scope's
 * interceptor: its calls carry the deadline and are aborted with the scope, so the downstream
 * server sees the connection close.
 */
@SpringBootTest(classes = HttpInterfaceApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class HttpInterfaceClientTests extends AbstractBlockingCallTests {

	@Override
	String handler(String path, String id) {
		return "/interface?path=" + path + "&id=" + id;
	}

}
