/**
 * A cancellation scope for each servlet request, and the HTTP outcome of a cancelled one.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.web.servlet;

import org.jspecify.annotations.NullMarked;
