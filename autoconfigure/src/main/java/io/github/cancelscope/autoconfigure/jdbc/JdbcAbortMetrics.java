package io.github.cancelscope.autoconfigure.jdbc;

import java.time.Duration;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.jdbc.ConnectionAbortListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Counts aborted connections in the application's {@link MeterRegistry}, if it has one by the time a
 * connection is aborted.
 */
final class JdbcAbortMetrics implements ConnectionAbortListener {

	/** Counter of connections aborted because a cancelled statement did not return, by reason. */
	static final String ABORTS = "cancelscope.jdbc.aborts";

	private final ObjectProvider<MeterRegistry> registry;

	JdbcAbortMetrics(ObjectProvider<MeterRegistry> registry) {
		this.registry = registry;
	}

	@Override
	public void connectionAborted(Cancellation cancellation, Duration afterCancel) {
		MeterRegistry registry = this.registry.getIfAvailable();
		if (registry != null) {
			Counter.builder(ABORTS)
				.description("JDBC connections aborted because a cancelled statement did not return in time")
				.tag("reason", cancellation.reason().name())
				.register(registry)
				.increment();
		}
	}

}
