/**
 * Auto-configuration that binds Spring Framework's resilience annotations to the scope.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.resilience;

import org.jspecify.annotations.NullMarked;
