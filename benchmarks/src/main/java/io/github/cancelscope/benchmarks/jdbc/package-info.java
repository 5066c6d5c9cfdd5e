/**
 * JDBC benchmarks: the cost of the DataSource decoration and the latency of a cancellation.
 */
@NullMarked
package io.github.cancelscope.benchmarks.jdbc;

import org.jspecify.annotations.NullMarked;
