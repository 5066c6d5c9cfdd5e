/**
 * Auto-configuration that runs each {@code @Scheduled} method call in a scope of its own.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.scheduling;

import org.jspecify.annotations.NullMarked;
