package io.github.cancelscope.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.Registration;

/**
 * The scopes of work in flight in the application, requests and start-up runners, so shutdown can
 * wait for them and cancel the rest. What each scope is doing comes from the scope itself
 * ({@link io.github.cancelscope.RequestScope#kind() kind}, {@link io.github.cancelscope.RequestScope#description()
 * description}). Safe for use by any number of threads.
 */
public final class InFlightScopes {

	/**
	 * A scope in flight.
	 *
	 * @param scope the scope's owner handle
	 * @param started when it started
	 */
	public record Entry(CancellableScope scope, Instant started) {
	}

	// by scope id
	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	private final Object idle = new Object();

	// threads in awaitIdle: a request that ends takes the monitor only if someone waits
	private final AtomicInteger waiters = new AtomicInteger();

	/**
	 * Records a scope as in flight until the returned registration is closed.
	 * @param scope the scope
	 * @return the registration to close when the scope has ended
	 */
	public Registration add(CancellableScope scope) {
		Entry entry = new Entry(scope, Instant.now());
		this.entries.put(scope.id(), entry);
		return () -> {
			if (this.entries.remove(scope.id(), entry) && this.waiters.get() > 0) {
				synchronized (this.idle) {
					this.idle.notifyAll();
				}
			}
		};
	}

	/**
	 * Returns the scopes in flight now.
	 * @return a snapshot, in no particular order
	 */
	public List<Entry> entries() {
		return new ArrayList<>(this.entries.values());
	}

	/**
	 * Returns the scope in flight with the given id.
	 * @param id a scope's {@linkplain io.github.cancelscope.RequestScope#id() id}
	 * @return its entry, or empty if no scope in flight has that id
	 */
	public Optional<Entry> find(String id) {
		return Optional.ofNullable(this.entries.get(id));
	}

	/**
	 * Cancels every scope of the given kind in flight now.
	 * @param kind which scopes, such as {@value io.github.cancelscope.ScopeOptions#STARTUP}
	 * @param reason why
	 */
	public void cancel(String kind, CancellationReason reason) {
		for (Entry entry : this.entries.values()) {
			if (entry.scope().kind().equals(kind)) {
				entry.scope().cancel(reason);
			}
		}
	}
	/**
	 * Waits until no scope is in flight, or the timeout has passed.
	 * @param timeout how long to wait at most
	 * @return whether none is in flight
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	public boolean awaitIdle(Duration timeout) throws InterruptedException {
		long end = System.nanoTime() + timeout.toNanos();
		synchronized (this.idle) {
			this.waiters.incrementAndGet();
			try {
				while (!this.entries.isEmpty()) {
					long left = end - System.nanoTime();
					if (left <= 0) {
						return false;
					}
					TimeUnit.NANOSECONDS.timedWait(this.idle, left);
				}
				return true;
			}
			finally {
				this.waiters.decrementAndGet();
			}
		}
	}

}
