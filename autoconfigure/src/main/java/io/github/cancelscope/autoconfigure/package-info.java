/**
 * Auto-configuration for cancelscope: the application scope, {@code RequestScope} injection and
 * {@code @Scoped} methods.
 */
@NullMarked
package io.github.cancelscope.autoconfigure;

import org.jspecify.annotations.NullMarked;
