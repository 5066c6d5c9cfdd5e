/**
 * The leak check for Spring tests: a {@code TestExecutionListener} that Spring registers by itself.
 */
@NullMarked
package io.github.cancelscope.test.spring;

import org.jspecify.annotations.NullMarked;
