/**
 * Outbound HTTP benchmarks: the interceptor's cost per call and the latency of an abort.
 */
@NullMarked
package io.github.cancelscope.benchmarks.http;

import org.jspecify.annotations.NullMarked;
