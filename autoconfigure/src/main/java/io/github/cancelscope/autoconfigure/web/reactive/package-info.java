/**
 * Auto-configuration that binds Spring Boot's {@code WebClient} to the scope.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.web.reactive;

import org.jspecify.annotations.NullMarked;
