/**
 * Test support: a manual clock for deadline tests that never sleep, a root scope per test, and a
 * leak check that fails a test when work it started outlives it.
 */
@NullMarked
package io.github.cancelscope.test;

import org.jspecify.annotations.NullMarked;
