package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * HTTP/1.1 client disconnects on Tomcat's NIO connector with a virtual thread per request: their
 * watches go through the watcher's queue, not a thread's slot.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.threads.virtual.enabled=true", "server.tomcat.max-keep-alive-requests=-1" })
class TomcatVirtualThreadHttp11ClientDisconnectTests extends Http11ClientDisconnectTests {

}
