/**
 * Micrometer observations of cancellation scopes: their context, convention and documentation.
 */
@NullMarked
package io.github.cancelscope.observation;

import org.jspecify.annotations.NullMarked;
