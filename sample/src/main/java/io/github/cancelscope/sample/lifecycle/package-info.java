/**
 * The shutdown and start-up demo.
 */
@NullMarked
package io.github.cancelscope.sample.lifecycle;

import org.jspecify.annotations.NullMarked;
