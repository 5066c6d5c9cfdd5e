/**
 * Observations, metrics, and executor context propagation for cancellation scopes.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
