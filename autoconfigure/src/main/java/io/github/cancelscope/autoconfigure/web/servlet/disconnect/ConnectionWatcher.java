package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.spi.ExecutorSaturation;
import io.github.cancelscope.web.servlet.ClientDisconnectWatch;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One thread with one {@link Selector} that watches the client connections of all requests still
 * running after a grace, and cancels a request's scope with
 * {@link CancellationReason#CLIENT_DISCONNECTED} when its client goes away.
 * <p>
 * An HTTP/1.1 connection is registered for {@code OP_READ} once its request has been read and
 * while its response is not committed. On readiness the watcher only asks how many bytes are
 * queued, it never reads: none (twice in a row) means the client closed or reset the connection;
 * some means a pipelined request, which is left to the container, and the request is no longer
 * watched. An HTTP/2 stream is asked on each tick whether it was reset.
 * <p>
 * A request that ends within the grace costs two writes of its thread's slot, which the watcher
 * reads once per tick, so it never sees the request (on a virtual thread: a push onto a lock-free
 * stack that the watcher drains each tick). Cancellation runs on a bounded pool of platform
 * threads (at most {@value #CANCEL_THREADS}, {@value #CANCEL_QUEUE} cancellations waiting), not on the
 * watcher's, so that a storm of closes costs a few threads. Cancelling a scope is quick (its JDBC
 * cancels and connection aborts have executors of their own), so when the pool is full the watcher
 * cancels the scope itself, and the saturation is logged and counted ({@link ExecutorSaturation},
 * as {@value #EXECUTOR}): no cancellation is dropped.
 */
final class ConnectionWatcher implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ConnectionWatcher.class);

	// a tick is a timed wake-up, which on a virtual machine costs tens of microseconds of CPU; under
	// load the watcher ticks all the time, so this bounds its wake-ups to 20 a second
	private static final long MAX_TICK_MILLIS = 50;

	// how often, in rounds, the slots of threads that have ended are forgotten
	private static final long PRUNE_ROUNDS = 1000;

	/**
	 * How long the watcher keeps ticking with nothing to watch before it sleeps until a request
	 * wakes it. Under a steady load a moment without a request is common, and each wake-up costs the
	 * next request a system call and the watcher a thread switch; a tick with nothing to do costs less.
	 */
	private static final Duration LINGER = Duration.ofMillis(100);

	/** The most threads that cancel the scopes of departed clients at once. */
	static final int CANCEL_THREADS = 4;

	/** The most cancellations waiting for a thread. */
	static final int CANCEL_QUEUE = 4096;

	/** The executor's name in {@link ExecutorSaturation}. */
	static final String EXECUTOR = "disconnect";

	private final long graceNanos;

	private final long tickMillis;

	private final Selector selector;

	private final Thread thread;

	private final ThreadPoolExecutor cancellations;

	/** Requests running on platform threads, one per thread (see {@link ThreadSlots}). */
	private final ThreadSlots<Watch> slots = new ThreadSlots<>();

	/**
	 * Requests started on virtual threads since the last tick, and those handed over when their
	 * thread moved on, newest first, linked through {@code Watch.nextArrival}.
	 */
	private final AtomicReference<@Nullable Watch> arrivals = new AtomicReference<>();

	/** Requests that ended while their socket was selected, so their keys are cancelled at once. */
	private final Queue<Watch> departures = new ConcurrentLinkedQueue<>();

	/** Requests within their grace, not read yet, or on HTTP/2: looked at on each tick. */
	private final List<Watch> waiting = new ArrayList<>();

	/** Whether the watcher blocks without a timeout, so the next arrival must wake it. */
	private final AtomicBoolean sleeping = new AtomicBoolean();

	/** How many times a request woke the watcher. */
	private final LongAdder wakeUps = new LongAdder();

	/** The rounds with nothing to watch after which the watcher sleeps. */
	private final long lingerRounds;

	// watcher thread only: rounds in a row with nothing to watch
	private long idleRounds;

	private volatile boolean closed;

	private volatile int selected;

	// written by the watcher thread only; volatile for rounds()
	private volatile long round;

	private int registered;

	private boolean confirming;

	ConnectionWatcher(Duration grace) throws IOException {
		this(grace, LINGER);
	}

	ConnectionWatcher(Duration grace, Duration linger) throws IOException {
		this.graceNanos = Math.max(0, grace.toNanos());
		this.tickMillis = Math.min(Math.max(grace.toMillis(), 1), MAX_TICK_MILLIS);
		this.lingerRounds = Math.max(0, linger.toMillis() / this.tickMillis);
		this.selector = Selector.open();
		// platform threads: busy virtual threads (an embedded database's query) can hold every carrier
		AtomicInteger cancellers = new AtomicInteger();
		this.cancellations = new ThreadPoolExecutor(CANCEL_THREADS, CANCEL_THREADS, 30, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(CANCEL_QUEUE),
				(task) -> daemonThread("cancelscope-disconnect-" + cancellers.getAndIncrement(), task),
				(task, pool) -> {
					if (!pool.isShutdown()) {
						ExecutorSaturation.report(EXECUTOR, CANCEL_THREADS + " threads, " + CANCEL_QUEUE + " queued",
								"on the disconnect watcher's thread");
						task.run();
					}
				});
		this.cancellations.allowCoreThreadTimeOut(true);
		this.thread = daemonThread("cancelscope-disconnect-watcher", this::run);
		this.thread.start();
	}

	// inherits no thread-locals: the watcher starts, and the pool's threads are started from, whatever
	// thread first needed them, possibly a request's
	private static Thread daemonThread(String name, Runnable task) {
		Thread thread = new Thread(null, task, name, 0, false);
		thread.setDaemon(true);
		return thread;
	}

	/**
	 * Watches a request's connection until the returned watch ends. Called on the request's thread.
	 */
	ClientDisconnectWatch.Watch watch(ClientConnection connection, CancellableScope scope) {
		if (this.closed) {
			return ClientDisconnectWatch.Watch.NONE;
		}
		long watchFrom = System.nanoTime() + this.graceNanos;
		ThreadSlots.Slot<Watch> slot = this.slots.ofCurrentThread();
		Watch watch = new Watch(connection, scope, watchFrom, slot);
		if (slot != null) {
			// the slot's last request went asynchronous and may still run: it is watched from the queue
			Watch previous = slot.watch();
			if (previous != null && !previous.isEnded()) {
				arrive(previous);
			}
			slot.occupy(watch);
		}
		else {
			arrive(watch);
		}
		if (this.sleeping.get() && this.sleeping.compareAndSet(true, false)) {
			this.wakeUps.increment();
			this.selector.wakeup();
		}
		return watch;
	}

	private void arrive(Watch watch) {
		Watch head;
		do {
			head = this.arrivals.get();
			watch.nextArrival = head;
		}
		while (!this.arrivals.compareAndSet(head, watch));
	}

	/**
	 * Stops the watcher: nothing is watched any more, and the selector, with every registration in
	 * it, is released.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.selector.wakeup();
		try {
			this.thread.join(TimeUnit.SECONDS.toMillis(5));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.cancellations.shutdown();
	}

	/**
	 * How many times a request woke the watcher from its sleep.
	 */
	long wakeUps() {
		return this.wakeUps.sum();
	}

	/**
	 * How many rounds the watcher has made: selects, ticks and wake-ups.
	 */
	long rounds() {
		return this.round;
	}

	/**
	 * Whether the watcher sleeps until a request wakes it.
	 */
	boolean isSleeping() {
		return this.sleeping.get();
	}

	/**
	 * How many connections the selector watches.
	 */
	int selectedConnections() {
		return this.selected;
	}

	private void run() {
		try {
			while (!this.closed) {
				select();
				this.round++;
				this.confirming = false;
				Set<SelectionKey> ready = this.selector.selectedKeys();
				for (SelectionKey key : ready) {
					onReadable((Watch) key.attachment(), (SocketChannel) key.channel());
				}
				ready.clear();
				for (Watch departed; (departed = this.departures.poll()) != null;) {
					departed.cancelKey();
				}
				for (Watch arrived = this.arrivals.getAndSet(null); arrived != null;) {
					Watch next = arrived.nextArrival;
					arrived.nextArrival = null;
					take(arrived);
					arrived = next;
				}
				long now = System.nanoTime();
				this.slots.takeDue(now, this::take);
				if (this.round % PRUNE_ROUNDS == 0) {
					this.slots.prune();
				}
				tick(now);
				this.selected = this.registered;
			}
		}
		catch (Throwable ex) {
			if (!this.closed) {
				logger.warn("Client disconnect watcher stopped; client disconnects are no longer detected", ex);
			}
			if (ex instanceof Error error) {
				throw error;
			}
		}
		finally {
			// watch() stops queueing requests for a watcher that is gone, whatever ended it
			this.closed = true;
			release();
		}
	}

	// a watch reaches the watcher from its slot, from the queue, or (handed over) from both: it is looked at once
	private void take(Watch watch) {
		if (!watch.taken) {
			watch.taken = true;
			this.waiting.add(watch);
		}
	}

	private void select() throws IOException {
		if (this.confirming) {
			this.selector.selectNow();
			return;
		}
		if (!this.waiting.isEmpty() || this.arrivals.get() != null || this.slots.anyOccupied()) {
			this.idleRounds = 0;
		}
		else if (++this.idleRounds > this.lingerRounds) {
			this.sleeping.set(true);
			// after the set: a request starting now either is seen here or wakes the selector
			if (this.arrivals.get() == null && !this.slots.anyOccupied() && !this.closed) {
				this.selector.select();
			}
			this.sleeping.set(false);
			return;
		}
		this.selector.select(this.tickMillis);
	}

	private void onReadable(Watch watch, SocketChannel channel) {
		try {
			inspectReadable(watch, channel);
		}
		catch (RuntimeException ex) {
			if (logger.isDebugEnabled()) {
				logger.debug("Not watching a request's connection any more", ex);
			}
			watch.stopSelecting();
		}
	}

	private void inspectReadable(Watch watch, SocketChannel channel) {
		if (watch.isEnded()) {
			watch.cancelKey();
			return;
		}
		int queued = queuedBytes(channel);
		if (queued > 0) {
			// a pipelined request (or a late byte of this one): the container's to read
			watch.stopSelecting();
			return;
		}
		if (queued == 0 && watch.suspectedIn != this.round - 1) {
			// readable with nothing queued is end of stream; confirm on the next, immediate select
			// in case the container consumed bytes in between
			watch.suspectedIn = this.round;
			this.confirming = true;
			return;
		}
		watch.stopSelecting();
		disconnected(watch);
	}

	/**
	 * Bytes queued on the socket, without reading any; -1 if the connection is broken.
	 */
	private static int queuedBytes(SocketChannel channel) {
		try {
			return channel.socket().getInputStream().available();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private void tick(long now) {
		this.waiting.removeIf((watch) -> !stillWaiting(watch, now));
	}

	private boolean stillWaiting(Watch watch, long now) {
		if (watch.isEnded()) {
			return false;
		}
		if (now - watch.watchFrom < 0) {
			return true;
		}
		try {
			return advance(watch);
		}
		catch (RuntimeException ex) {
			if (logger.isDebugEnabled()) {
				logger.debug("Not watching a request's connection any more", ex);
			}
			return false;
		}
	}

	/**
	 * Looks at a request past its grace.
	 * @return whether to look at it again on the next tick
	 */
	private boolean advance(Watch watch) {
		ClientConnection connection = watch.connection;
		if (connection.responseCommitted()) {
			return false;
		}
		if (connection instanceof ClientConnection.Stream stream) {
			if (stream.reset()) {
				disconnected(watch);
				return false;
			}
			return true;
		}
		ClientConnection.Socket socket = (ClientConnection.Socket) connection;
		if (!socket.requestRead()) {
			return true;
		}
		if (socket.nextRequestBuffered()) {
			return false;
		}
		SelectionKey key;
		try {
			key = socket.channel().register(this.selector, SelectionKey.OP_READ, watch);
		}
		catch (CancelledKeyException ex) {
			// the previous request's key on this connection is deregistered on the next select
			return true;
		}
		catch (ClosedChannelException ex) {
			return false;
		}
		watch.selecting(key);
		return false;
	}

	private void disconnected(Watch watch) {
		if (watch.isEnded() || watch.connection.responseCommitted()) {
			return;
		}
		watch.disconnected = true;
		if (logger.isDebugEnabled()) {
			logger.debug("Client went away; cancelling request scope " + watch.scope.id());
		}
		this.cancellations.execute(() -> watch.scope.cancel(CancellationReason.CLIENT_DISCONNECTED));
	}

	private void release() {
		try {
			for (SelectionKey key : this.selector.keys()) {
				key.cancel();
			}
			this.selector.close();
		}
		catch (IOException | RuntimeException ex) {
			logger.debug("Could not close the client disconnect selector", ex);
		}
		this.arrivals.set(null);
		this.slots.clear();
		this.waiting.clear();
	}

	/**
	 * One request's watch.
	 */
	private static final VarHandle STATE;

	static {
		try {
			STATE = MethodHandles.privateLookupIn(Watch.class, MethodHandles.lookup())
				.findVarHandle(Watch.class, "state", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final class Watch implements ClientDisconnectWatch.Watch, ThreadSlots.Timed {

		private static final int WAITING = 0;

		private static final int SELECTING = 1;

		private static final int DONE = 2;

		private static final int ENDED = 3;

		private final ClientConnection connection;

		private final CancellableScope scope;

		private final long watchFrom;

		// WAITING to SELECTING or ENDED, SELECTING to DONE or ENDED, DONE to ENDED
		private volatile int state = WAITING;

		private volatile boolean disconnected;

		// watcher thread only
		private @Nullable SelectionKey key;

		// watcher thread only
		private long suspectedIn = -2;

		// the next older arrival; written before the watch is pushed, then by the watcher thread only
		private @Nullable Watch nextArrival;

		// watcher thread only: whether it is in the waiting list, or was
		private boolean taken;

		// the slot of the thread that started the request; null on a virtual thread
		private final ThreadSlots.@Nullable Slot<Watch> slot;

		Watch(ClientConnection connection, CancellableScope scope, long watchFrom,
				ThreadSlots.@Nullable Slot<Watch> slot) {
			this.connection = connection;
			this.scope = scope;
			this.watchFrom = watchFrom;
			this.slot = slot;
		}

		@Override
		public void close() {
			if (this.slot != null) {
				this.slot.vacate(this);
			}
			if ((int) STATE.getAndSet(this, ENDED) == SELECTING) {
				ConnectionWatcher.this.departures.add(this);
				ConnectionWatcher.this.selector.wakeup();
			}
		}

		@Override
		public void handlerReturned() {
			close();
			if (this.disconnected && !this.connection.responseCommitted()) {
				this.connection.dropResponse();
			}
		}

		@Override
		public long watchFrom() {
			return this.watchFrom;
		}

		boolean isEnded() {
			return this.state == ENDED;
		}

		void selecting(SelectionKey key) {
			this.key = key;
			ConnectionWatcher.this.registered++;
			if (!STATE.compareAndSet(this, WAITING, SELECTING)) {
				cancelKey();
			}
		}

		void stopSelecting() {
			cancelKey();
			STATE.compareAndSet(this, SELECTING, DONE);
		}

		void cancelKey() {
			SelectionKey key = this.key;
			if (key != null) {
				key.cancel();
				this.key = null;
				ConnectionWatcher.this.registered--;
			}
		}

	}

}
