package io.github.cancelscope.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.cancelscope.benchmarks.load.Exchange.Endpoint;
import io.github.cancelscope.benchmarks.load.Exchange.Outcome;

/**
 * The load's clients, closed or open loop.
 * <p>
 * Closed loop ({@link #start}): each client is a virtual thread that sends one request, waits for
 * its response (or its client timeout), records it and sends the next, until the phase's time is
 * up, it has sent its maximum number of requests, or it is told to stop. A faster server gets more
 * requests.
 * <p>
 * Open loop ({@link #startAtRate}): requests arrive at a fixed rate whatever the server does, each
 * on a virtual thread of its own, and a latency counts from the moment its request was due, so a
 * stalled server can't hide its queue (no coordinated omission). The requests in flight are capped;
 * one due beyond the cap is recorded as {@link Outcome#NOT_SENT}.
 * <p>
 * Every loop is bounded in count and time, so a run ends by itself even if the server stops
 * answering.
 */
final class ClientLoad implements AutoCloseable {

	private final HttpClient http;

	private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

	private final List<List<Exchange>> recorded = new ArrayList<>();

	private final List<Thread> clients = new ArrayList<>();

	private final AtomicInteger inFlight = new AtomicInteger();

	private final URI healthy;

	private final URI zombie;

	private final double zombieShare;

	private final Duration clientTimeout;

	private final Duration think;

	private final long origin;

	private volatile boolean stopped;

	/**
	 * Prepares the clients; {@link #start} sends the first requests.
	 * @param origin {@link System#nanoTime()} at the start of the phase, the zero of every time recorded
	 */
	ClientLoad(URI base, double zombieShare, Duration query, Duration failAfter, Duration clientTimeout,
			Duration think, long origin) {
		this(base.resolve("/healthy"),
				base.resolve("/zombie?query=" + query.toMillis() + "ms&failAfter=" + failAfter.toMillis() + "ms"),
				zombieShare, clientTimeout, think, origin);
	}

	/**
	 * Clients that send every request to {@code path} (recorded as {@link Endpoint#HEALTHY}).
	 */
	static ClientLoad only(URI base, String path, Duration clientTimeout, Duration think, long origin) {
		URI uri = base.resolve(path);
		return new ClientLoad(uri, uri, 0, clientTimeout, think, origin);
	}

	private ClientLoad(URI healthy, URI zombie, double zombieShare, Duration clientTimeout, Duration think,
			long origin) {
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(2))
			.executor(this.threads)
			.build();
		this.healthy = healthy;
		this.zombie = zombie;
		this.zombieShare = zombieShare;
		this.clientTimeout = clientTimeout;
		this.think = think;
		this.origin = origin;
	}

	/**
	 * Starts {@code count} clients that send requests until {@code duration} has passed since the
	 * origin or each has sent {@code maxRequests}.
	 */
	void start(int count, Duration duration, int maxRequests) {
		long end = this.origin + duration.toNanos();
		for (int i = 0; i < count; i++) {
			List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
			this.recorded.add(exchanges);
			this.clients.add(Thread.ofVirtual()
				.name("load-client-" + i)
				.start(() -> run(exchanges, end, maxRequests)));
		}
	}

	/**
	 * Starts requests at {@code perSecond} until {@code duration} has passed since the origin, with
	 * at most {@code maxInFlight} waiting for their responses at once.
	 */
	void startAtRate(double perSecond, int maxInFlight, Duration duration) {
		long end = this.origin + duration.toNanos();
		long interval = Math.max(1, Math.round(1e9 / perSecond));
		List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
		this.recorded.add(exchanges);
		this.clients.add(Thread.ofPlatform().name("load-arrivals").daemon().start(() -> {
			for (long due = this.origin; due < end && !this.stopped; due += interval) {
				long wait = due - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
				Endpoint endpoint = endpoint();
				if (this.inFlight.get() >= maxInFlight) {
					exchanges.add(new Exchange(endpoint, due - this.origin, due - this.origin, Outcome.NOT_SENT));
					continue;
				}
				long start = due;
				this.inFlight.incrementAndGet();
				this.threads.execute(() -> {
					try {
						exchanges.add(send(endpoint, start));
					}
					finally {
						this.inFlight.decrementAndGet();
					}
				});
			}
		}));
	}

	private Endpoint endpoint() {
		return (ThreadLocalRandom.current().nextDouble() < this.zombieShare) ? Endpoint.ZOMBIE : Endpoint.HEALTHY;
	}

	private void run(List<Exchange> exchanges, long end, int maxRequests) {
		for (int i = 0; i < maxRequests && !this.stopped && System.nanoTime() < end; i++) {
			this.inFlight.incrementAndGet();
			try {
				exchanges.add(send(endpoint(), System.nanoTime()));
			}
			finally {
				this.inFlight.decrementAndGet();
			}
			if (this.think.isPositive()) {
				try {
					Thread.sleep(this.think);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}
	}

	/**
	 * Sends one request and records it; {@code start} is when it was sent or, in an open loop, due.
	 */
	private Exchange send(Endpoint endpoint, long start) {
		HttpRequest request = HttpRequest.newBuilder((endpoint == Endpoint.ZOMBIE) ? this.zombie : this.healthy)
			.timeout(this.clientTimeout)
			.GET()
			.build();
		Outcome outcome;
		try {
			int status = this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
			outcome = Outcome.of(endpoint, status);
		}
		catch (HttpConnectTimeoutException ex) {
			outcome = Outcome.CONNECTION_FAILED;
		}
		catch (HttpTimeoutException ex) {
			outcome = Outcome.CLIENT_TIMEOUT;
		}
		catch (IOException ex) {
			outcome = Outcome.CONNECTION_FAILED;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.stopped = true;
			outcome = Outcome.CONNECTION_FAILED;
		}
		return new Exchange(endpoint, start - this.origin, System.nanoTime() - this.origin, outcome);
	}

	/**
	 * Requests now waiting for their response.
	 */
	int inFlight() {
		return this.inFlight.get();
	}

	/**
	 * Lets every client finish the request it is waiting for, then stop.
	 */
	void stop() {
		this.stopped = true;
	}

	/**
	 * Waits for every client (and, in an open loop, every request) to finish, at most {@code timeout},
	 * then interrupts the stragglers.
	 * @return every exchange recorded by then, in no particular order
	 */
	List<Exchange> await(Duration timeout) throws InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		List<Exchange> all = new ArrayList<>();
		for (Thread client : this.clients) {
			long left = end - System.nanoTime();
			if (left <= 0 || !client.join(Duration.ofNanos(Math.max(1, left)))) {
				System.err.println("Load client " + client.getName() + " still running after " + timeout
						+ "; interrupting it");
				stop();
				client.interrupt();
				client.join(Duration.ofSeconds(5));
			}
		}
		// open loop: the requests sent by the arrivals thread end by their client timeout
		while (this.inFlight.get() > 0 && System.nanoTime() < end) {
			Thread.sleep(10);
		}
		for (List<Exchange> exchanges : this.recorded) {
			synchronized (exchanges) {
				all.addAll(exchanges);
			}
		}
		return all;
	}

	@Override
	public void close() {
		stop();
		this.http.shutdownNow();
		this.threads.shutdownNow();
	}

}
