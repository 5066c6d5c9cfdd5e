package io.github.cancelscope.benchmarks.chaos;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL (zonky's embedded binaries) that the suite controls: it knows the data folder, so it
 * can restart the server with {@code pg_ctl}, and the server's process ids (the postmaster from
 * {@code postmaster.pid}, its children from {@code /proc}), so it can stop and resume all of them.
 * Queries {@code pg_stat_activity} over a connection of its own, which it leaves out of the counts.
 */
final class ControlledPostgres implements AutoCloseable {

	private static final String LOOPBACK = InetAddress.getLoopbackAddress().getHostAddress();

	private final EmbeddedPostgres server;

	private final Path dataFolder;

	private final Path log;

	private @Nullable Connection monitor;

	private ControlledPostgres(EmbeddedPostgres server, Path dataFolder, Path log) {
		this.server = server;
		this.dataFolder = dataFolder;
		this.log = log;
	}

	static ControlledPostgres start(Path workFolder) throws IOException {
		Path data = workFolder.resolve("pgdata");
		EmbeddedPostgres server = EmbeddedPostgres.builder()
			.setDataDirectory(data)
			.setCleanDataDirectory(true)
			.setServerConfig("listen_addresses", LOOPBACK)
			.setServerConfig("max_connections", "300")
			.setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
			.setErrorRedirector(ProcessBuilder.Redirect.DISCARD)
			.start();
		return new ControlledPostgres(server, data, workFolder.resolve("postgres-restart.log"));
	}

	String jdbcUrl() {
		return "jdbc:postgresql://" + LOOPBACK + ":" + this.server.getPort() + "/postgres";
	}

	/**
	 * The postmaster's process id, from {@code postmaster.pid} (a restart changes it).
	 */
	long postmaster() throws IOException {
		String first = Files.readAllLines(this.dataFolder.resolve("postmaster.pid"), StandardCharsets.US_ASCII).get(0);
		return Long.parseLong(first.trim());
	}

	/**
	 * The postmaster and every process it forked (backends, checkpointer, WAL writer, ...).
	 */
	List<Long> processes() throws IOException {
		long postmaster = postmaster();
		List<Long> pids = new ArrayList<>();
		pids.add(postmaster);
		try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
			for (Path entry : entries.toList()) {
				String name = entry.getFileName().toString();
				if (!name.chars().allMatch(Character::isDigit)) {
					continue;
				}
				try {
					String stat = Files.readString(entry.resolve("stat"), StandardCharsets.US_ASCII);
					String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					if (Long.parseLong(fields[1]) == postmaster) {
						pids.add(Long.parseLong(name));
					}
				}
				catch (IOException | RuntimeException ex) {
					// the process ended meanwhile
				}
			}
		}
		return pids;
	}

	/**
	 * Stops every server process with SIGSTOP, the postmaster first (so it forks no new one).
	 * @return how many processes were stopped
	 */
	int stopAll() throws IOException, InterruptedException {
		closeMonitor();
		List<Long> pids = processes();
		signal("STOP", pids.subList(0, 1));
		// children forked between the listing and the postmaster's stop
		pids = processes();
		signal("STOP", pids);
		return pids.size();
	}

	/**
	 * Resumes every server process with SIGCONT.
	 */
	void resumeAll() throws IOException, InterruptedException {
		signal("CONT", processes());
	}

	/**
	 * Fast shutdown (backends are terminated, in-flight queries fail) and start again, with the
	 * options of the first start ({@code pg_ctl restart} reuses {@code postmaster.opts}).
	 */
	void restartFast() throws IOException, InterruptedException {
		closeMonitor();
		Path pgCtl = Path.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(postmaster()), "exe")).toString())
			.resolveSibling("pg_ctl");
		List<String> command = new ArrayList<>();
		if ("root".equals(System.getProperty("user.name"))) {
			// pg_ctl refuses root; zonky starts it in a user namespace of its own, and so does this
			command.addAll(List.of("unshare", "-U"));
		}
		command.addAll(List.of(pgCtl.toString(), "-D", this.dataFolder.toString(), "-m", "fast", "-w", "-t", "60", "-l",
				this.log.toString(), "restart"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
		if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IllegalStateException("pg_ctl restart failed (exit "
					+ (process.isAlive() ? "none: timed out" : process.exitValue()) + "); see " + this.log);
		}
	}

	private static void signal(String signal, List<Long> pids) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
		pids.forEach((pid) -> command.add(Long.toString(pid)));
		Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
		kill.getInputStream().readAllBytes();
		kill.waitFor(10, TimeUnit.SECONDS);
	}

	/**
	 * Client backends other than the monitor's own that are not idle: running a query, or idle in a
	 * transaction.
	 */
	int busyBackends() throws SQLException {
		return count("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
				+ " AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'");
	}

	/**
	 * Client backends other than the monitor's own, in any state.
	 */
	int clientBackends() throws SQLException {
		return count("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
				+ " AND pid <> pg_backend_pid()");
	}

	/**
	 * What the busy backends run, for a failure message.
	 */
	String busyQueries() {
		try (Statement statement = monitor().createStatement();
				ResultSet result = statement.executeQuery("SELECT state, left(query, 80) FROM pg_stat_activity"
						+ " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
						+ " AND state IS DISTINCT FROM 'idle'")) {
			StringBuilder text = new StringBuilder();
			while (result.next()) {
				text.append(" [").append(result.getString(1)).append(": ").append(result.getString(2)).append(']');
			}
			return text.toString();
		}
		catch (SQLException ex) {
			return " (" + ex.getMessage() + ")";
		}
	}

	private synchronized int count(String sql) throws SQLException {
		try (Statement statement = monitor().createStatement(); ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getInt(1);
		}
		catch (SQLException ex) {
			closeMonitor();
			throw ex;
		}
	}

	private synchronized Connection monitor() throws SQLException {
		Connection monitor = this.monitor;
		if (monitor == null || monitor.isClosed()) {
			DriverManager.setLoginTimeout(5);
			monitor = DriverManager.getConnection(jdbcUrl() + "?ApplicationName=chaos-monitor&socketTimeout=10",
					"postgres", "postgres");
			this.monitor = monitor;
		}
		return monitor;
	}

	private synchronized void closeMonitor() {
		Connection monitor = this.monitor;
		this.monitor = null;
		if (monitor != null) {
			try {
				monitor.close();
			}
			catch (SQLException ex) {
				// a broken connection: nothing to close
			}
		}
	}

	/**
	 * Waits until the server answers the monitor again.
	 */
	void awaitUp(Duration timeout) throws InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		while (true) {
			try {
				clientBackends();
				return;
			}
			catch (SQLException ex) {
				if (System.nanoTime() > end) {
					throw new IllegalStateException("PostgreSQL did not answer within " + timeout + ": " + ex.getMessage());
				}
				Thread.sleep(100);
			}
		}
	}

	@Override
	public void close() throws IOException, InterruptedException {
		closeMonitor();
		// resume first: a stopped server cannot stop
		try {
			resumeAll();
		}
		catch (IOException | RuntimeException ex) {
			// not running
		}
		this.server.close();
	}

}
