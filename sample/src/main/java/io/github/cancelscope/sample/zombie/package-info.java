/**
 * The zombie-query demo.
 */
@NullMarked
package io.github.cancelscope.sample.zombie;

import org.jspecify.annotations.NullMarked;
