package io.github.cancelscope.autoconfigure.escape;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import java.util.function.Consumer;

/**
 * The threads that escaped their unit of work, most recent first, as the actuator endpoint lists
 * them. Only the most recent ones are kept; each one is also counted (see {@link EscapeCounter}).
 */
public final class EscapedThreads {

	private final Consumer<EscapedThread> counter;

	private final int capacity;

	private final Deque<EscapedThread> recent = new ArrayDeque<>();

	EscapedThreads(int capacity, Consumer<EscapedThread> counter) {
		if (capacity < 0) {
			throw new IllegalArgumentException(
					"cancelscope.escaped.keep must be 0 or more (how many escaped threads to list), was " + capacity);
		}
		this.capacity = capacity;
		this.counter = counter;
	}

	/**
	 * Returns the escapes kept, most recent first.
	 * @return the escapes
	 */
	public List<EscapedThread> recent() {
		synchronized (this.recent) {
			return new ArrayList<>(this.recent);
		}
	}

	void add(EscapedThread escaped) {
		this.counter.accept(escaped);
		synchronized (this.recent) {
			this.recent.addFirst(escaped);
			while (this.recent.size() > this.capacity) {
				this.recent.removeLast();
			}
		}
	}

}
