/**
 * Extension points for integrators: the clock and timer, context propagation, observers of scopes,
 * the settings of a root scope, and what observers and diagnostics are told. Application code needs
 * none of them.
 */
@NullMarked
package io.github.cancelscope.spi;

import org.jspecify.annotations.NullMarked;
