package io.github.cancelscope.test.spring;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.cancelscope.test.Leak;
import io.github.cancelscope.test.LeakProbe;
import org.springframework.context.ApplicationContext;

/**
 * Finds connections still borrowed from the HikariCP pools behind the context's {@code DataSource}
 * beans, reached through {@link DataSource#unwrap(Class)} so that decorated data sources count: more
 * connections active after the test than before it are leaked. Created only when HikariCP is on the
 * classpath.
 */
final class BorrowedConnections implements LeakProbe {

	private final List<Pool> pools = new ArrayList<>();

	BorrowedConnections(ApplicationContext context) {
		Map<HikariDataSource, String> found = new IdentityHashMap<>();
		context.getBeansOfType(DataSource.class, false, false).forEach((name, dataSource) -> {
			HikariDataSource hikari = hikari(dataSource);
			if (hikari != null) {
				found.merge(hikari, name, (first, other) -> first + ", " + other);
			}
		});
		found.forEach((hikari, beans) -> this.pools.add(new Pool(hikari::getPoolName, beans, () -> active(hikari))));
	}

	@Override
	public List<Leak> leaks() {
		List<Leak> leaks = new ArrayList<>();
		for (Pool pool : this.pools) {
			int active = pool.active.getAsInt();
			if (active > pool.activeBefore) {
				leaks.add(Leak.of("connection", "pool " + pool.name.get() + " (bean " + pool.beans + "): " + active
						+ " connection(s) still borrowed, " + pool.activeBefore + " before the test. "
						+ "Close every connection you get (try-with-resources); to see where it was borrowed, set "
						+ "spring.datasource.hikari.leak-detection-threshold"));
			}
		}
		return leaks;
	}

	private static HikariDataSource hikari(DataSource dataSource) {
		try {
			return dataSource.isWrapperFor(HikariDataSource.class) ? dataSource.unwrap(HikariDataSource.class) : null;
		}
		catch (SQLException | RuntimeException ex) {
			return null;
		}
	}

	private static int active(HikariDataSource hikari) {
		// no pool before the first connection: nothing borrowed
		HikariPoolMXBean pool = hikari.isClosed() ? null : hikari.getHikariPoolMXBean();
		return (pool != null) ? pool.getActiveConnections() : 0;
	}

	private static final class Pool {

		// a pool started by the test gets its name then
		private final Supplier<String> name;

		private final String beans;

		private final IntSupplier active;

		private final int activeBefore;

		Pool(Supplier<String> name, String beans, IntSupplier active) {
			this.name = name;
			this.beans = beans;
			this.active = active;
			this.activeBefore = active.getAsInt();
		}

	}

}
