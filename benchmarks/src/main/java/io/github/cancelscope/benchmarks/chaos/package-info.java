/**
 * The chaos suite: the sample on a PostgreSQL the suite controls, under faults of the parts it
 * depends on, with checks that nothing is left behind after each.
 */
@NullMarked
package io.github.cancelscope.benchmarks.chaos;

import org.jspecify.annotations.NullMarked;
