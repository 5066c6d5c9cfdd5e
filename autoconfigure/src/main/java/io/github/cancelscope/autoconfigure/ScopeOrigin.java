package io.github.cancelscope.autoconfigure;

import java.util.Locale;
import java.util.function.Supplier;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeObserver;
import org.jspecify.annotations.Nullable;

/**
 * What opened a scope, as {@link ScopeObserver scope observers} of a Spring application tell it:
 * an HTTP request, start-up work, a {@link io.github.cancelscope.Scoped @Scoped} method, or any
 * other child scope (the groups of {@code all} and {@code race} among them).
 *
 * @param kind what opened the scope
 * @param name a name of bounded cardinality: {@code request}, the runner's class, the method as
 * {@code Type.method}, {@code child}
 */
public record ScopeOrigin(Kind kind, String name) {

	private static final ScopedValue<ScopeOrigin> OPENING = ScopedValue.newInstance();

	/**
	 * What opened a scope.
	 */
	public enum Kind {

		/** The application scope, the root of all others. */
		APPLICATION,

		/** An HTTP request: a child of the application scope that no other code named. */
		REQUEST,

		/** Start-up work, such as an {@code ApplicationRunner}. */
		STARTUP,

		/** A method annotated with {@code @Scoped}. */
		METHOD,

		/** Any other child scope. */
		CHILD;

		/**
		 * Returns the kind as a metric tag or key value: lower case.
		 * @return the tag value
		 */
		public String tag() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/**
	 * Opens a scope with {@code open} and tells the observers, which see it open on this thread,
	 * what opened it.
	 * @param <S> the type of the scope handle
	 * @param origin what opens the scope
	 * @param open opens the scope
	 * @return what {@code open} returns
	 */
	static <S> S opening(ScopeOrigin origin, Supplier<S> open) {
		return ScopedValue.where(OPENING, origin).call(open::get);
	}

	/**
	 * Tells what opened a scope. Call it from {@link ScopeObserver#opened}, and keep one instance
	 * per observer: it remembers the application scope, which opens first.
	 */
	public static final class Resolver {

		private static final ScopeOrigin APPLICATION = new ScopeOrigin(Kind.APPLICATION, "application");

		private static final ScopeOrigin REQUEST = new ScopeOrigin(Kind.REQUEST, "request");

		private static final ScopeOrigin CHILD = new ScopeOrigin(Kind.CHILD, "child");

		private volatile @Nullable String applicationScopeId;

		/**
		 * Returns what opened {@code scope}.
		 * @param scope a scope that is opening on the calling thread
		 * @param parent its parent, or {@code null} for a root
		 * @return its origin
		 */
		public ScopeOrigin resolve(RequestScope scope, @Nullable RequestScope parent) {
			if (parent == null) {
				this.applicationScopeId = scope.id();
				return APPLICATION;
			}
			if (OPENING.isBound()) {
				return OPENING.get();
			}
			return parent.id().equals(this.applicationScopeId) ? REQUEST : CHILD;
		}

	}

}
