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
 * application excludes by name.
 */
final class ScopedDataSourcePostProcessor implements BeanPostProcessor, Ordered {

	private final Supplier<List<String>> excludedBeans;

	/**
	 * Creates a post-processor.
	 * @param excludedBeans names of the beans to leave alone, asked for when the first
	 * {@code DataSource} bean is processed
	 */
	ScopedDataSourcePostProcessor(Supplier<List<String>> excludedBeans) {
		this.excludedBeans = excludedBeans;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof DataSource dataSource && !(bean instanceof ScopedDataSource)
				&& !ScopedProxyUtils.isScopedTarget(beanName) && !this.excludedBeans.get().contains(beanName)) {
			return new ScopedDataSource(dataSource);
		}
		return bean;
	}

	@Override
	public int getOrder() {
		// decorate last, around whatever else wraps the DataSource
		return Ordered.LOWEST_PRECEDENCE;
	}

}
