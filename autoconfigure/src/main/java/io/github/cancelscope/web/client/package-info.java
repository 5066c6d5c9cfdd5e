/**
 * RestClient and RestTemplate calls that are aborted with the scope they run in.
 */
@NullMarked
package io.github.cancelscope.web.client;

import org.jspecify.annotations.NullMarked;
