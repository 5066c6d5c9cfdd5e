/**
 * Cancellation scopes: deadlines, forked tasks, cleanups and cancellation reasons.
 */
@NullMarked
package io.github.cancelscope;

import org.jspecify.annotations.NullMarked;
