package io.github.cancelscope.benchmarks.chaos;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Closed-loop clients (virtual threads, JDK {@code HttpClient}, HTTP/1.1 keep-alive), each sending
 * one request after the other, drawn from a weighted mix of paths, every one with the deadline
 * header {@code X-Request-Timeout-Ms}. Records each exchange's send time, latency and outcome.
 */
final class MixedLoad implements AutoCloseable {

	/**
	 * One exchange; {@code id} is sent as the query parameter {@code chaos}, so the server's access log
	 * can be matched; times in ms since the load's origin; status -1: no response (the reason in error).
	 */
	record Exchange(long id, String path, double sent, double latency, int status, String error) {

		boolean healthyOk() {
			return this.path.equals("/healthy") && this.status == 200;
		}

	}

	private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

	private final ChaosApp app;

	private final List<Map.Entry<String, Integer>> mix;

	private final Duration deadline;

	private final Duration clientTimeout;

	private final long origin;

	private final HttpClient http;

	private final List<Thread> clients = new ArrayList<>();

	private final List<Exchange> exchanges = new ArrayList<>();

	private volatile boolean stopped;

	MixedLoad(ChaosApp app, List<Map.Entry<String, Integer>> mix, Duration deadline, Duration clientTimeout,
			long origin) {
		this.app = app;
		this.mix = mix;
		this.deadline = deadline;
		this.clientTimeout = clientTimeout;
		this.origin = origin;
		this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
	}

	MixedLoad start(int count) {
		for (int i = 0; i < count; i++) {
			this.clients.add(Thread.ofVirtual().name("chaos-client-" + i).start(this::client));
		}
		return this;
	}

	private void client() {
		int total = this.mix.stream().mapToInt(Map.Entry::getValue).sum();
		while (!this.stopped) {
			int pick = ThreadLocalRandom.current().nextInt(total);
			String path = this.mix.getLast().getKey();
			for (Map.Entry<String, Integer> entry : this.mix) {
				pick -= entry.getValue();
				if (pick < 0) {
					path = entry.getKey();
					break;
				}
			}
			long id = IDS.incrementAndGet();
			HttpRequest request = HttpRequest.newBuilder(this.app.uri(path + (path.contains("?") ? "&" : "?") + "chaos=" + id))
				.timeout(this.clientTimeout)
				.header("X-Request-Timeout-Ms", Long.toString(this.deadline.toMillis()))
				.build();
			long sent = System.nanoTime();
			int status = -1;
			String error = "";
			try {
				status = this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
			}
			catch (HttpTimeoutException ex) {
				error = "client timeout";
			}
			catch (IOException ex) {
				error = ex.getClass().getSimpleName();
			}
			catch (InterruptedException ex) {
				return;
			}
			long end = System.nanoTime();
			String key = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
			synchronized (this.exchanges) {
				this.exchanges.add(new Exchange(id, key, (sent - this.origin) / 1e6, (end - sent) / 1e6, status, error));
			}
			if (status != 200 && status != -1) {
				// an error answer comes fast: don't spin on a failing server
				pause(20);
			}
			else if (status == -1) {
				pause(100);
			}
		}
	}

	private static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Sends no new request; those in flight go on.
	 */
	void stopSending() {
		this.stopped = true;
	}

	/**
	 * Stops sending, waits for the requests in flight.
	 * @return every exchange
	 */
	List<Exchange> stop() throws InterruptedException {
		this.stopped = true;
		for (Thread client : this.clients) {
			if (!client.join(this.clientTimeout.plusSeconds(5))) {
				client.interrupt();
			}
		}
		synchronized (this.exchanges) {
			return new ArrayList<>(this.exchanges);
		}
	}

	/** Counts of outcomes: the status, or the error of an exchange without one. */
	static Map<String, Integer> outcomes(List<Exchange> exchanges) {
		Map<String, Integer> outcomes = new TreeMap<>();
		for (Exchange exchange : exchanges) {
			outcomes.merge(exchange.path() + " " + ((exchange.status() > 0) ? exchange.status() : exchange.error()), 1,
					Integer::sum);
		}
		return outcomes;
	}

	@Override
	public void close() {
		this.stopped = true;
		this.clients.forEach(Thread::interrupt);
		// closes the keep-alive connections: the server's descriptors for them go away
		this.http.close();
	}

}
