/**
 * Auto-configuration that binds RestClient and RestTemplate calls to the calling scope.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.web.client;

import org.jspecify.annotations.NullMarked;
