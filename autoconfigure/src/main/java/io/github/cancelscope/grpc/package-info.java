/**
 * Scopes for gRPC calls (grpc-java): a server interceptor that runs each call in a scope, and a
 * client interceptor that makes outbound calls follow the caller's scope.
 */
@NullMarked
package io.github.cancelscope.grpc;

import org.jspecify.annotations.NullMarked;
