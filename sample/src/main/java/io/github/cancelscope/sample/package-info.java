/**
 * The cancelscope sample application.
 */
@NullMarked
package io.github.cancelscope.sample;

import org.jspecify.annotations.NullMarked;
