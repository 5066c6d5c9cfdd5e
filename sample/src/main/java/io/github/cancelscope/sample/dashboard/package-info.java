/**
 * The dashboard demo: a fan-out over HTTP to a slow upstream.
 */
@NullMarked
package io.github.cancelscope.sample.dashboard;

import org.jspecify.annotations.NullMarked;
