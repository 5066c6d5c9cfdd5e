/**
 * Outbound HTTP calls of RestClient and RestTemplate that end with the scope they run in and
 * send its remaining time downstream.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.web.client;

import org.jspecify.annotations.NullMarked;
