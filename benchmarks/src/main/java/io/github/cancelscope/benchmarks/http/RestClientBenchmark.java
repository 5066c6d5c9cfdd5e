package io.github.cancelscope.benchmarks.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.web.client.RequestScopeInterceptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * What {@link RequestScopeInterceptor} adds to a call to a fast local endpoint, on the JDK
 * {@code HttpClient}: a plain RestClient, the intercepted one outside any scope, and inside a scope
 * with a deadline (timeout header, abortable regions around sending and reading).
 * <p>
 * {@code java -jar benchmarks/target/benchmarks.jar RestClientBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RestClientBenchmark {

	private HttpServer server;

	private HttpClient httpClient;

	private RestClient plain;

	private RestClient intercepted;

	private CancellableScope application;

	private CancellableScope request;

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		this.server.setExecutor(Executors.newFixedThreadPool(2));
		byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
		this.server.createContext("/fast", (exchange) -> {
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
		String base = "http://127.0.0.1:" + this.server.getAddress().getPort();
		this.httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(this.httpClient);
		this.plain = RestClient.builder().baseUrl(base).requestFactory(factory).build();
		this.intercepted = RestClient.builder()
			.baseUrl(base)
			.requestFactory(factory)
			.requestInterceptor(new RequestScopeInterceptor())
			.build();
		this.application = CancellableScope.root(ScopeSettings.defaults());
		this.request = this.application.openChild(Duration.ofHours(1));
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.request.close();
		this.application.close();
		this.httpClient.close();
		this.server.stop(0);
	}

	@Benchmark
	public String plain() {
		return call(this.plain);
	}

	@Benchmark
	public String plainInScope() {
		return this.request.call(() -> call(this.plain));
	}

	@Benchmark
	public String interceptedOutsideScope() {
		return call(this.intercepted);
	}

	@Benchmark
	public String interceptedInScope() {
		return this.request.call(() -> call(this.intercepted));
	}

	private static String call(RestClient client) {
		return client.get().uri("/fast").retrieve().body(String.class);
	}

}
