/**
 * The gRPC demo: an HTTP endpoint that calls a gRPC service whose handler runs a slow query.
 */
@NullMarked
package io.github.cancelscope.sample.grpc;

import org.jspecify.annotations.NullMarked;
