/**
 * JDBC in cancellation scopes: a {@code DataSource} whose statements are cancelled with their scope.
 */
@NullMarked
package io.github.cancelscope.jdbc;

import org.jspecify.annotations.NullMarked;
