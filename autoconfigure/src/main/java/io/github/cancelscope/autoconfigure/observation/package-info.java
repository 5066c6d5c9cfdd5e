/**
 * Auto-configuration of observations, metrics and executor context for cancellation scopes.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
