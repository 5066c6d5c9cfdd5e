package io.github.cancelscope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Loads an implementation compiled for a newer Java than the baseline (17): such classes sit in the
 * same jar and are loaded only on a JVM that has what they use. Also finds the handles of fields
 * that are compared and set.
 */
final class Jdk {

	private Jdk() {
	}

	static <T> T load(String className, Class<T> type) {
		try {
			return type.cast(Class.forName(className, true, Jdk.class.getClassLoader())
				.getDeclaredConstructor()
				.newInstance());
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			throw new IllegalStateException("Cannot load " + className + " on Java " + Runtime.version()
					+ "; the cancelscope-core jar looks incomplete", ex);
		}
	}

	/**
	 * Returns the handle of a field of the lookup's class, for its compare-and-set.
	 */
	static VarHandle varHandle(MethodHandles.Lookup lookup, String name, Class<?> type) {
		try {
			return lookup.findVarHandle(lookup.lookupClass(), name, type);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

}
