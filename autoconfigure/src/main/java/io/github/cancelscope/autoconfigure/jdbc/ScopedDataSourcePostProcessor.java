package io.github.cancelscope.autoconfigure.jdbc;

import java.util.List;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Decorates every {@code DataSource} bean with a {@link ScopedDataSource}, except the targets of
 * scoped proxies ({@code scopedTarget.*}, whose proxy is decorated instead) and the beans the
 * application excludes by name. A HikariCP pool left at Hikari's default validation timeout gets
 * {@code cancelscope.jdbc.abort-after} as its validation timeout, so that a wait for a connection on a
 * stalled database ends as soon as a stuck statement does ({@link HikariValidationTimeout}).
 */
final class ScopedDataSourcePostProcessor implements BeanPostProcessor, Ordered {

	private final Supplier<List<String>> excludedBeans;

	private final Supplier<JdbcEscalation> escalation;

	/**
	 * Creates a post-processor.
	 * @param excludedBeans names of the beans to leave alone, asked for when the first
	 * {@code DataSource} bean is processed
	 * @param escalation when and how a stuck statement's connection is aborted, asked for likewise
	 */
	ScopedDataSourcePostProcessor(Supplier<List<String>> excludedBeans, Supplier<JdbcEscalation> escalation) {
		this.excludedBeans = excludedBeans;
		this.escalation = escalation;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof DataSource dataSource && !(bean instanceof ScopedDataSource)
				&& !ScopedProxyUtils.isScopedTarget(beanName) && !this.excludedBeans.get().contains(beanName)) {
			JdbcEscalation escalation = this.escalation.get();
			HikariValidationTimeout.limit(dataSource, beanName, escalation.abortAfter());
			return new ScopedDataSource(dataSource, escalation);
		}
		return bean;
	}

	@Override
	public int getOrder() {
		// decorate last, around whatever else wraps the DataSource
		return Ordered.LOWEST_PRECEDENCE;
	}

}
