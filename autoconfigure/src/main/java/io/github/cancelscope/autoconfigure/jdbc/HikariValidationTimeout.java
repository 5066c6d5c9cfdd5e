package io.github.cancelscope.autoconfigure.jdbc;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;

/**
 * Lowers the validation timeout of a HikariCP pool left at Hikari's default to the abort time. A
 * thread waiting for a connection may be inside Hikari's check of an idle connection
 * ({@code Connection.isValid}), a socket read that neither an interrupt of a platform thread nor a
 * statement cancel reaches: on a stalled database it lasts the validation timeout, 5 s by default.
 * Reached through bean properties, so HikariCP stays optional.
 */
final class HikariValidationTimeout {

	private static final System.Logger logger = System.getLogger(HikariValidationTimeout.class.getName());

	static final String HIKARI_DATA_SOURCE = "com.zaxxer.hikari.HikariDataSource";

	/** Hikari's default validation timeout, in milliseconds. */
	static final long HIKARI_DEFAULT_MILLIS = 5000;

	/** The least validation timeout Hikari accepts, in milliseconds. */
	static final long HIKARI_MIN_MILLIS = 250;

	private HikariValidationTimeout() {
	}

	static void limit(DataSource dataSource, String beanName, Duration abortAfter) {
		if (!dataSource.getClass().getName().equals(HIKARI_DATA_SOURCE)) {
			return;
		}
		try {
			BeanWrapper hikari = PropertyAccessorFactory.forBeanPropertyAccess(dataSource);
			Object current = hikari.getPropertyValue("validationTimeout");
			long limit = Math.max(HIKARI_MIN_MILLIS, abortAfter.toMillis());
			if (current instanceof Long millis && millis == HIKARI_DEFAULT_MILLIS && limit < millis) {
				hikari.setPropertyValue("validationTimeout", limit);
				logger.log(System.Logger.Level.DEBUG, () -> "Lowered the validation timeout of HikariCP pool '"
						+ beanName + "' from " + millis + " ms to " + limit + " ms (cancelscope.jdbc.abort-after)");
			}
		}
		catch (RuntimeException ex) {
			logger.log(System.Logger.Level.DEBUG, "Left the validation timeout of HikariCP pool '" + beanName + "' alone",
					ex);
		}
	}

}
