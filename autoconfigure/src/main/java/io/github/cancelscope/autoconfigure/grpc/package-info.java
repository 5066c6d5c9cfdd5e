/**
 * Auto-configuration of the gRPC interceptors that give calls scopes.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.grpc;

import org.jspecify.annotations.NullMarked;
