/**
 * Headers that carry a request's deadline between services.
 */
@NullMarked
package io.github.cancelscope.web;

import org.jspecify.annotations.NullMarked;
