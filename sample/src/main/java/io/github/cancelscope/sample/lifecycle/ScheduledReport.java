package io.github.cancelscope.sample.lifecycle;

import java.time.Duration;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.sample.WorkLog;
import io.github.cancelscope.sample.zombie.SlowQueries;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * A scheduled report whose query runs long, on with {@code --sample.report-query=60s}. With
 * cancelscope each run is a scope: Ctrl-C stops the query after the shutdown grace and the run's
 * cleanup runs; without it, shutdown leaves the query running until the process is gone.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("sample.report-query")
@EnableScheduling
class ScheduledReport {

	private final Duration query;

	private final SlowQueries queries;

	private final WorkLog work;

	ScheduledReport(@Value("${sample.report-query}") Duration query, SlowQueries queries, WorkLog work) {
		this.query = query;
		this.queries = queries;
		this.work = work;
	}

	@Scheduled(fixedDelay = 1, timeUnit = java.util.concurrent.TimeUnit.HOURS)
	void report() throws Exception {
		RequestScope.find().ifPresent((scope) -> scope.defer(() -> this.work.cleanupRan("report")));
		this.work.track("report", () -> {
			this.queries.run(this.query);
			return null;
		});
	}

}
