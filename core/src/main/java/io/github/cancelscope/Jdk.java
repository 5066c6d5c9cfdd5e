package io.github.cancelscope;

/**
 * Loads an implementation compiled for a newer Java than the baseline (17): such classes sit in the
 * same jar and are loaded only on a JVM that has what they use.
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

}
