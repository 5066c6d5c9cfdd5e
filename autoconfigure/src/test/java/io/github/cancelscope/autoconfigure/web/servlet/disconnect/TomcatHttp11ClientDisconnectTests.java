package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * HTTP/1.1 client disconnects on Tomcat's NIO connector.
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.tomcat.threads.max=250", "server.tomcat.max-keep-alive-requests=-1" })
class TomcatHttp11ClientDisconnectTests extends Http11ClientDisconnectTests {

}
