/**
 * Cancels a request's scope when its client goes away: a watcher of the container's own connections
 * over HTTP/1.1, the container's stream state over HTTP/2.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.web.servlet.disconnect;

import org.jspecify.annotations.NullMarked;
