package io.github.cancelscope.autoconfigure.escape;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.spi.ObservedScope;
import io.github.cancelscope.spi.ScopeObserver;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Watches each unit of work (each child of the application scope) for the threads it starts, and
 * when it ends reports those still alive to {@link EscapedThreads}. Platform threads are checked
 * on the closing thread when the unit ends; virtual threads need a thread dump, so they are checked
 * on a background thread shortly after, one dump for all the units that ended meanwhile. A unit
 * that started no thread costs a thread-local set and remove each time it is bound.
 */
final class EscapeWatch implements ScopeObserver, AutoCloseable {

	private static final Log logger = LogFactory.getLog(EscapeWatch.class);

	/** Births seen, units opened and units ended: what tests wait for and look at. */
	final LongAdder births = new LongAdder();

	final LongAdder unitsOpened = new LongAdder();

	final LongAdder unitsEnded = new LongAdder();

	private final EscapedThreads escaped;

	private final LiveThreadLookup lookup = new LiveThreadLookup();

	private final LinkedBlockingQueue<Pending> pendingVirtual = new LinkedBlockingQueue<>();

	private final ThreadPoolExecutor virtualChecks;

	private final AtomicBoolean warned = new AtomicBoolean();

	EscapeWatch(EscapedThreads escaped) {
		this.escaped = escaped;
		this.virtualChecks = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				(task) -> {
					Thread thread = new Thread(null, task, "cancelscope-escape-check", 0, false);
					thread.setDaemon(true);
					return thread;
				});
	}

	@Override
	public ObservedScope opened(RequestScope scope, @Nullable RequestScope parent) {
		if (parent == null) {
			return ObservedScope.NONE;
		}
		WatchedUnit outer = ThreadBirths.current();
		if (outer != null) {
			return new WatchedUnit.Nested(outer);
		}
		this.unitsOpened.increment();
		return new WatchedUnit(scope, this);
	}

	/**
	 * Called on the closing thread when a unit that started threads has ended.
	 */
	void ended(WatchedUnit unit, List<ThreadBirth> births) {
		Instant ended = Instant.now();
		List<ThreadBirth> virtual = null;
		for (ThreadBirth birth : births) {
			if (birth.virtual()) {
				virtual = (virtual != null) ? virtual : new ArrayList<>();
				virtual.add(birth);
				continue;
			}
			LiveThreadLookup.Found found = this.lookup.platform(birth.likelyId());
			if (found != null) {
				this.escaped.add(escaped(unit, birth, found, ended));
			}
		}
		// after close() (the application is stopping) virtual threads are no longer checked
		if (virtual != null && this.lookup.seesVirtualThreads() && !this.virtualChecks.isShutdown()) {
			this.pendingVirtual.add(new Pending(unit, virtual, ended));
			this.virtualChecks.execute(this::checkVirtual);
		}
	}

	private void checkVirtual() {
		List<Pending> pending = new ArrayList<>();
		this.pendingVirtual.drainTo(pending);
		if (pending.isEmpty()) {
			return;
		}
		Map<Long, ThreadBirth> byId = new LinkedHashMap<>();
		pending.forEach((each) -> each.births.forEach((birth) -> byId.put(birth.likelyId(), birth)));
		try {
			Map<Long, LiveThreadLookup.Found> alive = this.lookup.virtual(byId.keySet());
			for (Pending each : pending) {
				for (ThreadBirth birth : each.births) {
					LiveThreadLookup.Found found = alive.get(birth.likelyId());
					if (found != null) {
						this.escaped.add(escaped(each.unit, birth, found, each.ended));
					}
				}
			}
		}
		catch (RuntimeException ex) {
			failedToWatch(ex);
		}
	}

	private static EscapedThread escaped(WatchedUnit unit, ThreadBirth birth, LiveThreadLookup.Found found,
			Instant ended) {
		RequestScope scope = unit.scope();
		return new EscapedThread(found.id(), found.name(), birth.virtual(), found.state(), found.stack(), scope.kind(),
				scope.id(), scope.description(), ended, birth.creator(), birth.startedFrom());
	}

	void failedToWatch(Throwable failure) {
		if (this.warned.compareAndSet(false, true)) {
			logger.warn("Could not watch the threads that a unit of work started; later failures are not logged",
					failure);
		}
	}

	/**
	 * Waits until every unit opened so far has ended and its threads are checked; for tests.
	 */
	boolean awaitChecks(long timeout, TimeUnit unit) throws InterruptedException {
		long deadline = System.nanoTime() + unit.toNanos(timeout);
		while (this.unitsEnded.sum() < this.unitsOpened.sum() || !this.pendingVirtual.isEmpty()
				|| this.virtualChecks.getActiveCount() > 0 || !this.virtualChecks.getQueue().isEmpty()) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			Thread.sleep(10);
		}
		return true;
	}

	@Override
	public void close() {
		this.virtualChecks.shutdownNow();
	}

	private record Pending(WatchedUnit unit, List<ThreadBirth> births, Instant ended) {
	}

}
