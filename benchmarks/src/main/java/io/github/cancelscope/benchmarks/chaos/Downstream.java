package io.github.cancelscope.benchmarks.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The dashboard's upstream, on a raw socket the suite controls: it answers (and closes the
 * connection, so the sample keeps no pooled connection to it), stalls (accepts, never reads, never
 * answers) or resets (accepts, then closes with RST).
 */
final class Downstream implements AutoCloseable {

	enum Mode {

		ANSWER, STALL, RESET

	}

	private final ServerSocket server;

	private volatile Mode mode = Mode.ANSWER;

	private final Set<Socket> stalled = ConcurrentHashMap.newKeySet();

	private final AtomicInteger accepted = new AtomicInteger();

	private final AtomicInteger resets = new AtomicInteger();

	private final Thread acceptor;

	private Downstream(ServerSocket server) {
		this.server = server;
		this.acceptor = Thread.ofPlatform().daemon().name("chaos-downstream").start(this::accept);
	}

	/**
	 * Listens on {@code 127.0.0.2:port}.
	 */
	static Downstream start(int port) throws IOException {
		ServerSocket server = new ServerSocket();
		server.setReuseAddress(true);
		server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port), 4096);
		return new Downstream(server);
	}

	void mode(Mode mode) {
		this.mode = mode;
	}

	int accepted() {
		return this.accepted.get();
	}

	int resets() {
		return this.resets.get();
	}

	int stalled() {
		return this.stalled.size();
	}

	/**
	 * Stalled connections whose peer has closed: in CLOSE_WAIT on this side ({@code /proc/net/tcp}),
	 * so the sample gave up the exchange. This side never reads, so the kernel is the only witness.
	 */
	int stalledClosedByPeer() {
		return tcpStates().getOrDefault("08", 0);
	}

	/**
	 * Stalled connections still established.
	 */
	int stalledEstablished() {
		return tcpStates().getOrDefault("01", 0);
	}

	private java.util.Map<String, Integer> tcpStates() {
		java.util.Map<String, Integer> states = new java.util.HashMap<>();
		// 127.0.0.2 in /proc/net/tcp's little-endian hex
		String local = "0200007F:" + String.format("%04X", this.server.getLocalPort());
		try {
			List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
			for (String line : lines.subList(1, lines.size())) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 3 && fields[1].equals(local)) {
					states.merge(fields[3], 1, Integer::sum);
				}
			}
		}
		catch (IOException ex) {
			// not Linux
		}
		return states;
	}

	/**
	 * Closes the stalled connections (the suite's side of them).
	 */
	void releaseStalled() {
		for (Socket socket : this.stalled) {
			closeQuietly(socket);
		}
		this.stalled.clear();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.accepted.incrementAndGet();
				Thread.ofVirtual().start(() -> serve(socket));
			}
			catch (IOException ex) {
				// closed
			}
		}
	}

	private void serve(Socket socket) {
		try {
			switch (this.mode) {
				case STALL -> this.stalled.add(socket);
				case RESET -> {
					this.resets.incrementAndGet();
					socket.setSoLinger(true, 0);
					socket.close();
				}
				case ANSWER -> {
					readHeaders(socket.getInputStream());
					byte[] body = "\"of Ada\"".getBytes(StandardCharsets.US_ASCII);
					OutputStream out = socket.getOutputStream();
					out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
							+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
					out.write(body);
					out.flush();
					socket.close();
				}
			}
		}
		catch (IOException ex) {
			closeQuietly(socket);
		}
	}

	private static void readHeaders(InputStream in) throws IOException {
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		for (int b = in.read(); b >= 0; b = in.read()) {
			matched = (b == end[matched]) ? matched + 1 : (b == '\r') ? 1 : 0;
			if (matched == 4) {
				return;
			}
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		releaseStalled();
		this.acceptor.interrupt();
	}

}
