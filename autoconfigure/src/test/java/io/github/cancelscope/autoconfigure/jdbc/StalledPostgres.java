package io.github.cancelscope.autoconfigure.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * An embedded PostgreSQL of its own, for the tests that stall it with {@code SIGSTOP}: the shared
 * server ({@code EmbeddedPostgresServer}) is never stopped, so no other test is affected. Started
 * once per JVM, on first use. Linux only ({@code /proc} and {@code kill}).
 * <p>
 * {@link #stall()} stops the postmaster and then every process it has forked (the backends, the
 * checkpointer, …); {@link #resume()} continues them all. A fail-safe resumes the server
 * {@value #FAIL_SAFE_SECONDS} s after a stall in any case, so a failing test never leaves it stopped.
 */
final class StalledPostgres {

	static final long FAIL_SAFE_SECONDS = 20;

	private static final ScheduledExecutorService failSafe = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "stalled-postgres-fail-safe");
		thread.setDaemon(true);
		return thread;
	});

	private static EmbeddedPostgres server;

	private static Connection monitor;

	private static int postmaster;

	private static final Set<Integer> stopped = new LinkedHashSet<>();

	private static ScheduledFuture<?> pendingFailSafe;

	private static volatile boolean resumedByFailSafe;

	private StalledPostgres() {
	}

	static boolean supported() {
		return Files.isDirectory(Path.of("/proc/self"))
				&& (Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")));
	}

	static synchronized String jdbcUrl() {
		if (server == null) {
			try {
				server = EmbeddedPostgres.builder().start();
				monitor = DriverManager.getConnection(server.getJdbcUrl("postgres", "postgres") + "&ApplicationName=monitor");
				try (ResultSet row = monitor.createStatement().executeQuery("SELECT pg_backend_pid()")) {
					row.next();
					postmaster = parentOf(row.getInt(1));
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
			Runtime.getRuntime().addShutdownHook(new Thread(StalledPostgres::resume));
		}
		return server.getJdbcUrl("postgres", "postgres");
	}

	/**
	 * Points {@code spring.datasource} at this server, with connections named
	 * {@code applicationName} in {@code pg_stat_activity}.
	 */
	static void register(DynamicPropertyRegistry registry, String applicationName) {
		registry.add("spring.datasource.url", StalledPostgres::jdbcUrl);
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.hikari.data-source-properties.ApplicationName", () -> applicationName);
	}

	/**
	 * Stops every process of the server with {@code SIGSTOP}: the postmaster first, so that it forks
	 * nothing more.
	 */
	static synchronized void stall() {
		jdbcUrl();
		resumedByFailSafe = false;
		signal("STOP", List.of(postmaster));
		stopped.add(postmaster);
		List<Integer> children = childrenOf(postmaster);
		signal("STOP", children);
		stopped.addAll(children);
		pendingFailSafe = failSafe.schedule(() -> {
			resumedByFailSafe = true;
			resume();
		}, FAIL_SAFE_SECONDS, TimeUnit.SECONDS);
	}

	/**
	 * Continues every process stopped by {@link #stall()}; does nothing if none is stopped.
	 */
	static synchronized void resume() {
		if (pendingFailSafe != null) {
			pendingFailSafe.cancel(false);
			pendingFailSafe = null;
		}
		if (stopped.isEmpty()) {
			return;
		}
		List<Integer> all = new ArrayList<>(stopped);
		all.addAll(childrenOf(postmaster));
		signal("CONT", all);
		stopped.clear();
	}

	static boolean resumedByFailSafe() {
		return resumedByFailSafe;
	}

	/**
	 * Returns the queries the server is running for connections of {@code applicationName}. Only
	 * while it is not stalled.
	 */
	static synchronized List<String> activeQueries(String applicationName) throws SQLException {
		try (PreparedStatement statement = monitor
			.prepareStatement("SELECT query FROM pg_stat_activity WHERE application_name = ? AND state = 'active'")) {
			statement.setString(1, applicationName);
			try (ResultSet rows = statement.executeQuery()) {
				List<String> result = new ArrayList<>();
				while (rows.next()) {
					result.add(rows.getString(1));
				}
				return result;
			}
		}
	}

	private static void signal(String signal, List<Integer> pids) {
		if (pids.isEmpty()) {
			return;
		}
		List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
		pids.forEach((pid) -> command.add(Integer.toString(pid)));
		try {
			Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
			if (!kill.waitFor(10, TimeUnit.SECONDS)) {
				kill.destroyForcibly();
				throw new IllegalStateException("kill -" + signal + " did not finish");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static List<Integer> childrenOf(int parent) {
		List<Integer> children = new ArrayList<>();
		try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
			processes.filter((path) -> path.getFileName().toString().chars().allMatch(Character::isDigit))
				.forEach((path) -> {
					int pid = Integer.parseInt(path.getFileName().toString());
					if (parentOf(pid) == parent) {
						children.add(pid);
					}
				});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return children;
	}

	/**
	 * Returns the parent of {@code pid}, from {@code /proc/PID/stat}, or -1 if it has gone.
	 */
	private static int parentOf(int pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
			// the command name is in parentheses and may hold spaces: the fields after it are fixed
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Integer.parseInt(fields[1]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

}
