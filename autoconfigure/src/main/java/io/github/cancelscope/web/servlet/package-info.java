/**
 * Servlet requests in cancellation scopes: the watch of a request's client.
 */
@NullMarked
package io.github.cancelscope.web.servlet;

import org.jspecify.annotations.NullMarked;
