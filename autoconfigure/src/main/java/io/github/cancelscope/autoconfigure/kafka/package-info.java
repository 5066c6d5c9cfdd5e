/**
 * Auto-configuration that processes each Kafka record, or batch, in a scope of its own.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.kafka;

import org.jspecify.annotations.NullMarked;
