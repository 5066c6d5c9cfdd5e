/**
 * Spring's reactive {@code WebClient}, used by blocking callers, bound to the calling thread's
 * scope.
 */
@NullMarked
package io.github.cancelscope.web.reactive;

import org.jspecify.annotations.NullMarked;
