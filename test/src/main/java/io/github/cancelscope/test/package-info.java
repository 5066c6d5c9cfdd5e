/**
 * Test support: a manual clock for deadline tests that never sleep.
 */
@NullMarked
package io.github.cancelscope.test;

import org.jspecify.annotations.NullMarked;
