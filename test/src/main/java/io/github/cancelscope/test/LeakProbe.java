package io.github.cancelscope.test;

import java.util.List;

/**
 * Finds one sort of leak that a {@link LeakCheck} does not know by itself, such as connections still
 * borrowed from a pool. A probe is created before the test, so that it can note what was there
 * already, and asked after it, repeatedly, until it answers nothing or the grace has passed.
 */
@FunctionalInterface
public interface LeakProbe {

	/**
	 * Returns what is leaked now. Called on the test's thread, often within the grace: keep it
	 * cheap.
	 * @return the leaks, empty if none
	 */
	List<Leak> leaks();

}
