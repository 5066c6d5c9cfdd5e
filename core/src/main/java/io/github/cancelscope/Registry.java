package io.github.cancelscope;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The cancellation listeners, or the running regions, of one scope: added until the scope is
 * cancelled or ends, then drained once. Guarded by the scope's lock; its list is made on first use.
 *
 * @param <E> the type of the elements
 */
final class Registry<E> {

	private @Nullable List<E> elements;

	void add(E element) {
		if (this.elements == null) {
			this.elements = new ArrayList<>(4);
		}
		this.elements.add(element);
	}

	/**
	 * Removes the last occurrence of {@code element}, compared by identity. Registrations are
	 * usually removed in the reverse order of their adding.
	 */
	void remove(E element) {
		List<E> elements = this.elements;
		if (elements != null) {
			for (int i = elements.size() - 1; i >= 0; i--) {
				if (elements.get(i) == element) {
					elements.remove(i);
					return;
				}
			}
		}
	}

	/**
	 * Returns the elements and forgets them.
	 */
	List<E> drain() {
		List<E> elements = this.elements;
		this.elements = null;
		return (elements != null) ? elements : List.of();
	}

	List<E> copy() {
		return (this.elements != null) ? List.copyOf(this.elements) : List.of();
	}

}
