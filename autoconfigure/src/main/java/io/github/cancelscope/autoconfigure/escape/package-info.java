/**
 * Opt-in detection of threads that a unit of work started and that outlived it.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.escape;

import org.jspecify.annotations.NullMarked;
