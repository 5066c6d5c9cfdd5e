package io.github.cancelscope.autoconfigure.observation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Subtask;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.slf4j.MDC;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application whose handlers complete, overrun their deadline, lose a fork, get stuck, and
 * make spans in forks: what the observability tests watch.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ObservabilityTestApplication.Handlers.class)
public class ObservabilityTestApplication {

	/** Counted down when the fork of {@code /stuck} runs. */
	public static volatile CountDownLatch stuckForkRunning = new CountDownLatch(1);

	@RestController
	static class Handlers {

		private final RequestScope scope;

		private final Tracer tracer;

		Handlers(RequestScope scope, Tracer tracer) {
			this.scope = scope;
			this.tracer = tracer;
		}

		@GetMapping("/ok")
		String ok() {
			return this.scope.fork(() -> "ok").join();
		}

		@GetMapping("/deadline")
		String deadline() {
			return this.scope.fork(() -> {
				Thread.sleep(60_000);
				return "late";
			}).join();
		}

		@GetMapping("/sibling")
		String sibling() {
			Subtask<String> slow = this.scope.fork(() -> {
				Thread.sleep(60_000);
				return "slow";
			});
			this.scope.fork(() -> {
				throw new IllegalStateException("failed on purpose");
			});
			return slow.join();
		}

		@GetMapping("/stuck")
		String stuck() {
			return this.scope.fork(() -> {
				stuckForkRunning.countDown();
				Thread.sleep(60_000);
				return "late";
			}).join();
		}

		@GetMapping("/trace")
		Map<String, String> trace() {
			Span requestSpan = this.tracer.currentSpan();
			Map<String, String> result = new LinkedHashMap<>();
			result.put("requestTraceId", requestSpan.context().traceId());
			result.put("requestSpanId", requestSpan.context().spanId());
			result.put("scopeId", this.scope.id());
			result.putAll(this.scope.fork(() -> {
				Map<String, String> inFork = new LinkedHashMap<>();
				Span span = this.tracer.nextSpan().name("in-fork").start();
				try (Tracer.SpanInScope ws = this.tracer.withSpan(span)) {
					inFork.put("forkTraceId", span.context().traceId());
					inFork.put("forkParentId", span.context().parentId());
					inFork.put("forkMdcTraceId", MDC.get("traceId"));
					inFork.put("forkMdcScope", MDC.get("cancelscope.scope"));
				}
				finally {
					span.end();
				}
				return inFork;
			}).join());
			return result;
		}

	}

}
