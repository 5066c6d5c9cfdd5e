package io.github.cancelscope.jdbc;

import java.lang.reflect.Method;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationListener;
import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import org.jspecify.annotations.Nullable;

/**
 * The abort of a wait for a pool's connection that its scope's cancellation did not end.
 * <p>
 * An interrupt ends a wait for a free connection at once, but a pool may check an idle connection
 * before lending it (HikariCP does, with {@code Connection.isValid}, for one idle longer than
 * 500 ms): a socket read that no interrupt of a platform thread reaches, and that a stalled database
 * never answers. Each idle connection checked costs the pool's validation timeout. So if the wait has
 * not ended {@linkplain AbortPolicy#abortAfterNanos() some time} after the cancellation, the pool's
 * idle connections are evicted (HikariCP's {@code softEvictConnections()}, found reflectively so
 * that HikariCP stays optional; connections in use are closed when they are given back), and the
 * waiting thread gets its exception as soon as the check in progress times out. Pools other than
 * HikariCP are left alone.
 */
final class StuckPoolWait {

	private static final System.Logger logger = System.getLogger(StuckPoolWait.class.getName());

	private static final String HIKARI_DATA_SOURCE = "com.zaxxer.hikari.HikariDataSource";

	private static final String HIKARI_POOL_MX_BEAN = "com.zaxxer.hikari.HikariPoolMXBean";

	private final Object pool;

	private final Method getPoolMXBean;

	private final Method softEvictConnections;

	private StuckPoolWait(Object pool, Method getPoolMXBean, Method softEvictConnections) {
		this.pool = pool;
		this.getPoolMXBean = getPoolMXBean;
		this.softEvictConnections = softEvictConnections;
	}

	/**
	 * Returns the abort for waits on {@code dataSource}, or {@code null} if it is not a pool this
	 * class knows.
	 */
	static @Nullable StuckPoolWait of(DataSource dataSource) {
		try {
			Class<?> hikari = Class.forName(HIKARI_DATA_SOURCE, false, dataSource.getClass().getClassLoader());
			if (!dataSource.isWrapperFor(hikari)) {
				return null;
			}
			Class<?> mxBean = Class.forName(HIKARI_POOL_MX_BEAN, false, hikari.getClassLoader());
			Object pool = dataSource.unwrap(hikari);
			return new StuckPoolWait(pool, hikari.getMethod("getHikariPoolMXBean"),
					mxBean.getMethod("softEvictConnections"));
		}
		catch (ClassNotFoundException | LinkageError | NoSuchMethodException | SQLException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * Arms the abort for a wait that is about to start on the calling thread.
	 * @return closed when the wait ends
	 */
	Registration arm(RequestScope scope, AbortPolicy policy) {
		Waiting waiting = new Waiting(scope, policy);
		waiting.listener = scope.onCancel(waiting);
		return waiting;
	}

	// one object per wait: its listener, its registration and its state
	private final class Waiting implements CancellationListener, Registration {

		private final RequestScope scope;

		private final AbortPolicy policy;

		private volatile boolean ended;

		private Registration listener = Registration.NONE;

		Waiting(RequestScope scope, AbortPolicy policy) {
			this.scope = scope;
			this.policy = policy;
		}

		@Override
		public void cancelled(Cancellation cancellation) {
			StatementCancellation.timer.schedule(() -> abortIfStuck(cancellation), this.policy.abortAfterNanos(),
					TimeUnit.NANOSECONDS);
		}

		@Override
		public void close() {
			this.ended = true;
			this.listener.close();
		}

		void abortIfStuck(Cancellation cancellation) {
			if (this.ended) {
				return;
			}
			try {
				// null until the pool has started, which it has if a thread waits for it
				Object mxBean = StuckPoolWait.this.getPoolMXBean.invoke(StuckPoolWait.this.pool);
				if (mxBean == null) {
					return;
				}
				StuckPoolWait.this.softEvictConnections.invoke(mxBean);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				logger.log(System.Logger.Level.WARNING, "Evicting the idle connections of " + StuckPoolWait.this.pool
						+ " failed", ex);
				return;
			}
			logger.log(System.Logger.Level.WARNING, () -> "Evicted the idle connections of " + StuckPoolWait.this.pool
					+ ": a wait for a connection in scope " + this.scope.id() + " (" + cancellation.reason()
					+ ") had not ended " + this.policy.abortAfterMillis()
					+ " ms after it was cancelled, so the database is stalled or unreachable.");
		}

	}

}
