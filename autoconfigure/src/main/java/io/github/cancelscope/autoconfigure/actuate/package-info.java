/**
 * Actuator endpoint that shows the scopes in flight and cancels one.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
