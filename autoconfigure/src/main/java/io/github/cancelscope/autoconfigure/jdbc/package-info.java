/**
 * Auto-configuration for JDBC in cancellation scopes: every {@code DataSource} bean cancels its
 * statements with the scope they run in.
 */
@NullMarked
package io.github.cancelscope.autoconfigure.jdbc;

import org.jspecify.annotations.NullMarked;
