package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * HTTP/1.1 client disconnects on Jetty 12.
 */
@SpringBootTest(classes = DisconnectTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { JettyHttp11ClientDisconnectTests.USE_JETTY, "server.jetty.threads.max=250" })
class JettyHttp11ClientDisconnectTests extends Http11ClientDisconnectTests {

	/** Excludes Tomcat instead of Jetty (see the test application.properties). */
	static final String USE_JETTY = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration,"
			// as application.properties: Hibernate is for the JPA tests only
			+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
			+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

}
