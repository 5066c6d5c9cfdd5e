package io.github.cancelscope.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets a test, or every test of a class, leave work running that the leak check would report: the
 * threads whose names match {@link #threads()}, or, when none are named, everything. An annotation
 * on the method adds to the one on its class.
 * {@snippet :
 * @Test
 * @AllowLeaks(threads = "straggler-*", reason = "the stuck call is the point of the test; it ends with the JVM")
 * void reportsAStraggler() {
 * }
 * }
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AllowLeaks {

	/**
	 * Names of threads that may outlive the test, in which {@code *} stands for any text. None
	 * means that the test is not checked at all.
	 * @return the thread name patterns
	 */
	String[] threads() default {};

	/**
	 * Why the leak is meant, for the reader of the test.
	 * @return the reason
	 */
	String reason();

}
