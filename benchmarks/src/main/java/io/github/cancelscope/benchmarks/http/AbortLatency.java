package io.github.cancelscope.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.web.client.RequestScopeInterceptor;

import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * From a scope's cancellation to the downstream server seeing its connection close, for a call that
 * waits for response headers that never come, on the request thread (a platform thread, like a
 * servlet container's). The server is a raw socket that reads the request and then waits for the
 * client's FIN. Prints p50 and p99.
 * <p>
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.cancelscope.benchmarks.http.AbortLatency [iterations]}
 */
public final class AbortLatency {

	private AbortLatency() {
	}

	public static void main(String[] args) throws Exception {
		int iterations = (args.length > 0) ? Integer.parseInt(args[0]) : 200;
		BlockingQueue<Long> closes = new LinkedBlockingQueue<>();
		try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
				HttpClient httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
				CancellableScope application = CancellableScope.root(ScopeSettings.defaults())) {
			Thread.ofPlatform().daemon().start(() -> stallEveryConnection(server, closes));
			RestClient client = RestClient.builder()
				.baseUrl("http://127.0.0.1:" + server.getLocalPort())
				.requestFactory(new JdkClientHttpRequestFactory(httpClient))
				.requestInterceptor(new RequestScopeInterceptor())
				.build();
			long[] latencies = new long[iterations];
			for (int i = -20; i < iterations; i++) {
				long latency = abortOne(application, client, closes);
				if (i >= 0) {
					latencies[i] = latency;
				}
			}
			Arrays.sort(latencies);
			System.out.printf("scope cancelled -> downstream saw the close (JDK HttpClient), %d iterations%n",
					iterations);
			System.out.printf("p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", millis(latencies, 0.50),
					millis(latencies, 0.99), latencies[latencies.length - 1] / 1e6);
		}
	}

	private static long abortOne(CancellableScope application, RestClient client, BlockingQueue<Long> closes)
			throws Exception {
		CancellableScope scope = application.openChild();
		CountDownLatch sent = new CountDownLatch(1);
		Thread caller = Thread.ofPlatform().start(() -> {
			try {
				scope.call(() -> {
					sent.countDown();
					return client.get().uri("/stall").retrieve().body(String.class);
				});
			}
			catch (RuntimeException expected) {
				// aborted
			}
		});
		sent.await();
		// the request must have reached the server before the cancel, as in a real stall
		Long accepted = closes.poll(10, TimeUnit.SECONDS);
		if (accepted == null || accepted != -1L) {
			throw new IllegalStateException("the server did not receive the request");
		}
		long cancelled = System.nanoTime();
		scope.cancel(CancellationReason.CANCELLED);
		Long closed = closes.poll(10, TimeUnit.SECONDS);
		if (closed == null) {
			throw new IllegalStateException("the server did not see the connection close within 10 s");
		}
		caller.join();
		scope.close();
		return closed - cancelled;
	}

	private static void stallEveryConnection(ServerSocket server, BlockingQueue<Long> events) {
		while (!server.isClosed()) {
			try {
				Socket socket = server.accept();
				Thread.ofPlatform().daemon().start(() -> {
					try (socket; InputStream in = socket.getInputStream()) {
						byte[] buffer = new byte[4096];
						int total = 0;
						int n;
						boolean signalled = false;
						while ((n = in.read(buffer)) != -1) {
							total += n;
							if (!signalled && total > 0 && new String(buffer, 0, n).contains("\r\n\r\n")) {
								events.add(-1L);
								signalled = true;
							}
						}
						events.add(System.nanoTime());
					}
					catch (IOException ex) {
						events.add(System.nanoTime());
					}
				});
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private static double millis(long[] sorted, double quantile) {
		return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
	}

}
