package io.github.cancelscope;

/**
 * Runs each fork on a new virtual thread. Compiled for Java 21 and loaded only there.
 */
final class VirtualForkThreads extends ForkThreads {

	@Override
	void start(Fork<?> fork) {
		// a builder is not safe for use by several threads: one per fork
		Thread.ofVirtual().name(fork.threadName()).start(fork);
	}

	@Override
	boolean threadEndsWithTask() {
		return true;
	}

	@Override
	void shutdown() {
	}

	@Override
	public String toString() {
		return "virtual threads";
	}

}
