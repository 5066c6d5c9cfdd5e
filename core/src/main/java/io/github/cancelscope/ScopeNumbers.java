package io.github.cancelscope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Numbers scopes, each number once. A single counter would be written by every request thread, and
 * its cache line would move between cores on each request; here each thread counts on one of
 * {@value #STRIPES} counters, chosen by its id, padded apart, and stripe {@code s} hands out the
 * numbers {@code 1 + s}, {@code 1 + s + STRIPES}, ... So numbers are unique but not in the order the
 * scopes opened, and a thread's numbers agree modulo any power of two up to {@value #STRIPES}: the
 * children of a scope, striped by number ({@link ChildScopes}), stay on their thread's stripe.
 */
final class ScopeNumbers {

	static final int STRIPES = 64;

	// longs from one counter to the next: 128 bytes, two cache lines, so that no two share one
	private static final int SPACING = 16;

	private static final long[] COUNTERS = new long[STRIPES * SPACING];

	private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);

	private ScopeNumbers() {
	}

	@SuppressWarnings("deprecation") // threadId() is Java 19's name for it
	static long next() {
		int stripe = (int) Thread.currentThread().getId() & (STRIPES - 1);
		long count = (long) COUNTER.getAndAdd(COUNTERS, stripe * SPACING, 1L);
		return 1 + stripe + count * STRIPES;
	}

}
