/**
 * A load driver that reproduces the pool-exhaustion incident on two instances of the sample, one
 * without cancelscope and one with it, and measures both side by side.
 */
@NullMarked
package io.github.cancelscope.benchmarks.load;

import org.jspecify.annotations.NullMarked;
