package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * HTTP/2 client disconnects on Tomcat (h2c).
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "server.http2.enabled=true")
class TomcatHttp2ClientDisconnectTests extends Http2ClientDisconnectTests {

}
