/**
 * JMH benchmarks of cancelscope.
 */
@NullMarked
package io.github.cancelscope.benchmarks;

import org.jspecify.annotations.NullMarked;
