package io.github.cancelscope;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The open children of a scope, outside the scope's lock: every request's scope is a child of the
 * one application scope, whose lock all request threads would otherwise take twice per request.
 * The children are spread over stripes, each a doubly linked list threaded through the children
 * themselves under a lock of its own, so adding or removing one allocates nothing and takes one
 * uncontended lock. The application scope has 64 stripes, so that the threads of a pool, of
 * consecutive ids, each keep to a stripe of their own; other scopes have one.
 * <p>
 * {@link ScopeLifecycle#adopt} orders an add against a concurrent cancel or close the way the
 * scope's lock would: each writes first (the add, or the cancellation and state) and reads the
 * other's write second, and a stripe's lock orders the add against the read of that stripe.
 */
final class ChildScopes {

	// one per counter of the scopes' numbers: a thread's scopes keep to the stripe of its counter
	private static final int ROOT_STRIPES = ScopeNumbers.STRIPES;

	private final Stripe[] stripes;

	private ChildScopes(int stripes) {
		this.stripes = new Stripe[stripes];
		for (int i = 0; i < stripes; i++) {
			this.stripes[i] = new Stripe();
		}
	}

	/**
	 * Returns the children of {@code parent}: striped for a root, whose children are every
	 * request's scope.
	 */
	static ChildScopes of(DefaultScope parent) {
		return new ChildScopes(parent.isRoot() ? ROOT_STRIPES : 1);
	}

	void add(DefaultScope child) {
		Stripe stripe = stripeOf(child);
		synchronized (stripe) {
			stripe.link(child);
		}
	}

	/**
	 * Removes {@code child}; does nothing if it is not here (any more).
	 */
	void remove(DefaultScope child) {
		Stripe stripe = stripeOf(child);
		synchronized (stripe) {
			stripe.unlink(child);
		}
	}

	boolean isEmpty() {
		for (Stripe stripe : this.stripes) {
			synchronized (stripe) {
				if (stripe.head != null) {
					return false;
				}
			}
		}
		return true;
	}

	static List<DefaultScope> copy(@Nullable ChildScopes children) {
		if (children == null) {
			return List.of();
		}
		List<DefaultScope> copy = new ArrayList<>();
		for (Stripe stripe : children.stripes) {
			synchronized (stripe) {
				for (Sibling child = stripe.head; child != null; child = child.next) {
					copy.add((DefaultScope) child);
				}
			}
		}
		return copy;
	}

	private Stripe stripeOf(DefaultScope child) {
		// a thread's scopes land on one stripe, that of its id (see ScopeNumbers): threads on
		// different cores keep to their own stripes
		return this.stripes[(int) child.number() & (this.stripes.length - 1)];
	}

	/**
	 * What a child needs to be in its parent's stripe: its links, guarded by the stripe's lock. A
	 * scope extends it, so that adding it to its parent allocates nothing.
	 */
	abstract static class Sibling {

		private @Nullable Sibling previous;

		private @Nullable Sibling next;

		private boolean linked;

	}

	// padded so that two stripes never share a cache line: request threads on different cores
	// would otherwise contend on it
	@SuppressWarnings("unused")
	private static class StripePadding {

		private long p1, p2, p3, p4, p5, p6, p7;

	}

	private static final class Stripe extends StripePadding {

		private @Nullable Sibling head;

		@SuppressWarnings("unused")
		private long q1, q2, q3, q4, q5, q6, q7;

		void link(Sibling child) {
			if (child.linked) {
				return;
			}
			child.linked = true;
			child.previous = null;
			child.next = this.head;
			if (this.head != null) {
				this.head.previous = child;
			}
			this.head = child;
		}

		void unlink(Sibling child) {
			if (!child.linked) {
				return;
			}
			Sibling previous = child.previous;
			Sibling next = child.next;
			if (previous != null) {
				previous.next = next;
			}
			else {
				this.head = next;
			}
			if (next != null) {
				next.previous = previous;
			}
			child.previous = null;
			child.next = null;
			child.linked = false;
		}

	}

}
