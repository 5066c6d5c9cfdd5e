/**
 * The abandoned fan-out demo.
 */
@NullMarked
package io.github.cancelscope.sample.fanout;

import org.jspecify.annotations.NullMarked;
