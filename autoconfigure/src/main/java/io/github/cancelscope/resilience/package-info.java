/**
 * Spring Framework's resilience annotations, {@code @Retryable} and {@code @ConcurrencyLimit},
 * bound to the scope of the calling thread.
 */
@NullMarked
package io.github.cancelscope.resilience;

import org.jspecify.annotations.NullMarked;
