package io.github.cancelscope.benchmarks.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A disconnect storm: keep-alive connections, each with a request in flight on {@code /slow} (a
 * forked task that sleeps; named, so the sample's log says when it started and how it ended), all
 * closed at once, every other one with RST (SO_LINGER 0) and the rest with FIN.
 */
final class Storm implements AutoCloseable {

	private static final Pattern LINE = Pattern.compile("^(\\S+) .*? : (\\S+) (started|cancelled|completed|failed.*?)( after \\d+ ms)?$");

	private final ChaosApp app;

	private final String prefix;

	private final List<Socket> sockets = new ArrayList<>();

	private Storm(ChaosApp app, String prefix) {
		this.app = app;
		this.prefix = prefix;
	}

	/**
	 * Opens {@code count} connections and sends each {@code GET /slow?duration=<hold>}; waits until
	 * the sample logged every one as started.
	 */
	static Storm open(ChaosApp app, String prefix, int count, Duration hold, Duration timeout) throws Exception {
		Storm storm = new Storm(app, prefix);
		try {
			InetAddress loopback = InetAddress.getLoopbackAddress();
			for (int i = 0; i < count; i++) {
				Socket socket = new Socket();
				storm.sockets.add(socket);
				socket.setTcpNoDelay(true);
				socket.connect(new InetSocketAddress(loopback, app.port()), 5000);
				String request = "GET /slow?duration=" + hold.toMillis() + "ms&name=" + prefix + i
						+ " HTTP/1.1\r\nHost: " + ChaosApp.LOOPBACK + "\r\n\r\n";
				socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
				socket.getOutputStream().flush();
			}
			long end = System.nanoTime() + timeout.toNanos();
			int started = 0;
			while (System.nanoTime() < end) {
				started = storm.scan().started();
				if (started >= count) {
					return storm;
				}
				Thread.sleep(100);
			}
			throw new IllegalStateException(prefix + ": only " + started + " of " + count + " storm requests started within "
					+ timeout);
		}
		catch (Exception ex) {
			storm.close();
			throw ex;
		}
	}

	/**
	 * Closes every connection at once, every other one with RST.
	 * @return when the first close happened
	 */
	Instant closeAll() {
		Instant first = Instant.now();
		for (int i = 0; i < this.sockets.size(); i++) {
			Socket socket = this.sockets.get(i);
			try {
				if (i % 2 == 1) {
					socket.setSoLinger(true, 0);
				}
				socket.close();
			}
			catch (IOException ex) {
				// already closed
			}
		}
		return first;
	}

	/**
	 * Closes the connections with an index in {@code [from, to)} (every other one with RST).
	 */
	void close(int from, int to) {
		for (int i = from; i < to && i < this.sockets.size(); i++) {
			try {
				if (i % 2 == 1) {
					this.sockets.get(i).setSoLinger(true, 0);
				}
				this.sockets.get(i).close();
			}
			catch (IOException ex) {
				// already closed
			}
		}
	}

	/**
	 * What the sample's log says about this storm's requests now.
	 */
	Scan scan() throws IOException {
		Map<String, String> outcome = new HashMap<>();
		int started = 0;
		Instant lastEnd = Instant.EPOCH;
		for (String line : Files.readAllLines(this.app.log(), StandardCharsets.ISO_8859_1)) {
			if (!line.contains(" : " + this.prefix)) {
				continue;
			}
			Matcher matcher = LINE.matcher(line);
			if (!matcher.matches() || !matcher.group(2).startsWith(this.prefix)) {
				continue;
			}
			if (matcher.group(3).equals("started")) {
				started++;
				continue;
			}
			outcome.put(matcher.group(2), matcher.group(3).startsWith("failed") ? "failed" : matcher.group(3));
			try {
				Instant at = OffsetDateTime.parse(matcher.group(1)).toInstant();
				if (at.isAfter(lastEnd)) {
					lastEnd = at;
				}
			}
			catch (DateTimeParseException ex) {
				// not a timestamp
			}
		}
		Map<String, Integer> counts = new HashMap<>();
		outcome.values().forEach((value) -> counts.merge(value, 1, Integer::sum));
		return new Scan(started, counts, lastEnd);
	}

	/**
	 * @param started requests logged as started
	 * @param ended how the ended ones ended: cancelled, completed, failed
	 * @param lastEnd when the last one ended (the log's millisecond timestamp)
	 */
	record Scan(int started, Map<String, Integer> ended, Instant lastEnd) {

		int endedCount() {
			return this.ended.values().stream().mapToInt(Integer::intValue).sum();
		}

	}

	/**
	 * Samples the process's thread count ({@code /proc/<pid>/status}) every few milliseconds on a
	 * thread of its own until stopped, and keeps the highest.
	 */
	static final class PeakThreads implements AutoCloseable {

		private final AtomicInteger peak = new AtomicInteger();

		private volatile boolean stopped;

		private final Thread sampler;

		PeakThreads(ChaosApp app) {
			this.peak.set(app.threads());
			this.sampler = Thread.ofPlatform().daemon().name("chaos-peak-threads").start(() -> {
				while (!this.stopped) {
					int now = app.threads();
					this.peak.accumulateAndGet(now, Math::max);
					try {
						Thread.sleep(5);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
		}

		int peak() {
			return this.peak.get();
		}

		@Override
		public void close() throws InterruptedException {
			this.stopped = true;
			this.sampler.join(1000);
		}

	}

	@Override
	public void close() {
		for (Socket socket : this.sockets) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// already closed
			}
		}
	}

}
