package io.github.cancelscope;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method (or every public method of the annotated type) in a child scope of
 * the caller's current scope. The child ends when the call returns or throws: its forks are
 * cancelled and awaited, its cleanups run.
 * <p>
 * With a {@link #timeout()}, the child's deadline is the earlier of that timeout and the parent's
 * deadline:
 * {@snippet :
 * @Scoped(timeout = "2s")
 * public Quote fetchQuote(String id) {
 *     return jdbc.sql("select ...").query(Quote.class).single();
 * }
 * }
 * Outside any scope, the call runs in a child of the application scope.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Scoped {

	/**
	 * Deadline of the child scope, counted from the call: a duration such as {@code "500ms"},
	 * {@code "2s"}, {@code "PT2S"}, or a plain number of milliseconds. Property placeholders
	 * ({@code "${app.quote-timeout}"}) are resolved. Empty means no deadline of its own. A value
	 * that cannot be parsed fails application start-up with a message naming the method.
	 * @return the timeout
	 */
	String timeout() default "";

}
