package io.github.cancelscope.benchmarks.load;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.management.AttributeList;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;
import org.jspecify.annotations.Nullable;

/**
 * Reads an instance's Hikari pool over JMX (the JDK's local management agent, started through the
 * attach API: no port) and counts the sample's slow queries on its PostgreSQL over a connection of
 * the driver's own. Neither goes through the instance's HTTP server or its pool, so both still answer
 * when the pool is exhausted — the sample's own {@code GET /pool} needs a pool connection for its
 * query count, and waits behind everybody else exactly when it matters.
 */
final class PoolGauge implements AutoCloseable {

	private static final String[] ATTRIBUTES = { "ActiveConnections", "IdleConnections",
			"ThreadsAwaitingConnection", "TotalConnections" };

	private static final String QUERIES_ON_SERVER = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
			+ " AND query LIKE '%cancelscope-sample slow%' AND pid <> pg_backend_pid()";

	private final JMXConnector jmx;

	private final MBeanServerConnection mbeans;

	private final ObjectName pool;

	private final Connection database;

	private final PreparedStatement queriesOnServer;

	private PoolGauge(JMXConnector jmx, ObjectName pool, Connection database) throws IOException, SQLException {
		this.jmx = jmx;
		this.mbeans = jmx.getMBeanServerConnection();
		this.pool = pool;
		this.database = database;
		this.queriesOnServer = database.prepareStatement(QUERIES_ON_SERVER);
	}

	/**
	 * Connects to the JVM with process id {@code pid}, whose Hikari pool is called {@code poolName}
	 * and registers its MBeans, and to the database at {@code jdbcUrl}.
	 */
	static PoolGauge connect(long pid, String poolName, String jdbcUrl, String user, String password)
			throws Exception {
		VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
		String address;
		try {
			address = vm.startLocalManagementAgent();
		}
		finally {
			vm.detach();
		}
		JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(address));
		Connection database = DriverManager.getConnection(jdbcUrl, user, password);
		return new PoolGauge(jmx, new ObjectName("com.zaxxer.hikari:type=Pool (" + poolName + ")"), database);
	}

	/**
	 * Reads the pool and the server now; a part that cannot be read is {@code -1}.
	 */
	synchronized PoolSample sample(long time) {
		int[] pool = readPool();
		return new PoolSample(time, pool[0], pool[1], pool[2], pool[3], queriesOnServer());
	}

	private int[] readPool() {
		int[] values = { -1, -1, -1, -1 };
		try {
			AttributeList attributes = this.mbeans.getAttributes(this.pool, ATTRIBUTES);
			for (int i = 0; i < attributes.size() && i < values.length; i++) {
				values[i] = ((Number) attributes.asList().get(i).getValue()).intValue();
			}
		}
		catch (Exception ex) {
			// the instance is gone, or its pool is
		}
		return values;
	}

	/**
	 * The sample's slow queries executing on the server now, or {@code -1} if the server cannot be
	 * asked.
	 */
	synchronized int queriesOnServer() {
		try (ResultSet result = this.queriesOnServer.executeQuery()) {
			result.next();
			return result.getInt(1);
		}
		catch (SQLException ex) {
			return -1;
		}
	}

	@Override
	public void close() {
		closeQuietly(this.jmx);
		closeQuietly(this.database);
	}

	private static void closeQuietly(@Nullable AutoCloseable closeable) {
		try {
			if (closeable != null) {
				closeable.close();
			}
		}
		catch (Exception ex) {
			// nothing to do: the instance is going away
		}
	}

}
