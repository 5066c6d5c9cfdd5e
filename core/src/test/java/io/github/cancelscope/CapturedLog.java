package io.github.cancelscope;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what a logger writes. {@link System.Logger} goes to {@code java.util.logging} when no
 * other logging backend is installed, as in these tests.
 */
final class CapturedLog extends Handler implements AutoCloseable {

	private final Logger logger;

	private final List<LogRecord> records = new CopyOnWriteArrayList<>();

	private CapturedLog(Logger logger) {
		this.logger = logger;
		setLevel(Level.ALL);
		logger.addHandler(this);
	}

	/**
	 * Starts recording what the scope logger writes.
	 */
	static CapturedLog ofScopes() {
		return of(CancellableScope.class.getName());
	}

	static CapturedLog of(String loggerName) {
		return new CapturedLog(Logger.getLogger(loggerName));
	}

	List<LogRecord> records() {
		return List.copyOf(this.records);
	}

	List<LogRecord> warnings() {
		return this.records.stream().filter((record) -> record.getLevel().intValue() >= Level.WARNING.intValue()).toList();
	}

	@Override
	public void publish(LogRecord record) {
		this.records.add(record);
	}

	@Override
	public void flush() {
	}

	@Override
	public void close() {
		this.logger.removeHandler(this);
	}

}
