package io.github.cancelscope.autoconfigure.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import static org.awaitility.Awaitility.await;

/**
 * What the listeners of a test saw, shared by the applications of one test: each delivery of a
 * value with the scope it ran in and how that scope ended, the values processed to the end, and
 * the records that the error handler recovered.
 */
final class Deliveries {

	static final Duration PATIENCE = Duration.ofSeconds(30);

	private final Map<String, List<Arrival>> arrivals = new ConcurrentHashMap<>();

	private final List<String> completed = new CopyOnWriteArrayList<>();

	private final List<Recovered> recovered = new CopyOnWriteArrayList<>();

	private final Map<String, Integer> seen = new ConcurrentHashMap<>();

	private final AtomicInteger batches = new AtomicInteger();

	/**
	 * Notes that {@code value} arrived in the current scope.
	 * @return which delivery of {@code value} this is, from 1
	 */
	int arrived(String value, CancellableScope application) {
		RequestScope scope = RequestScope.current();
		boolean childOfApplication = application.children().stream().anyMatch((child) -> child.id().equals(scope.id()));
		CompletableFuture<String> end = new CompletableFuture<>();
		scope.defer(() -> end.complete(scope.cancellation().map((c) -> c.reason().name()).orElse("NONE")));
		Arrival arrival = new Arrival(scope.id(), scope.kind(), scope.name(), scope.description(), childOfApplication,
				scope.deadline().orElse(null), end);
		List<Arrival> list = this.arrivals.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>());
		list.add(arrival);
		return list.size();
	}

	/**
	 * Notes that a batch listener was handed {@code value}.
	 */
	void seen(String value) {
		this.seen.merge(value, 1, Integer::sum);
	}

	int seenCount(String value) {
		return this.seen.getOrDefault(value, 0);
	}

	/**
	 * Returns the number of the batch that arrives now, from 1.
	 */
	int nextBatch() {
		return this.batches.incrementAndGet();
	}

	void completed(String value) {
		this.completed.add(value);
	}

	void recovered(ConsumerRecord<?, ?> record, Exception failure) {
		this.recovered.add(new Recovered(String.valueOf(record.value()), record.offset(), failure));
	}

	List<Recovered> recovered() {
		return this.recovered;
	}

	List<String> completed() {
		return this.completed;
	}

	int count(String value) {
		List<Arrival> list = this.arrivals.get(value);
		return (list != null) ? list.size() : 0;
	}

	/**
	 * Waits for the {@code n}th delivery of {@code value}.
	 */
	Arrival awaitArrival(String value, int n) {
		await("delivery %d of %s".formatted(n, value)).atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> count(value) >= n);
		return this.arrivals.get(value).get(n - 1);
	}

	void awaitCompleted(String value) {
		await(value + " processed to the end").atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> this.completed.contains(value));
	}

	void awaitRecovered(String value) {
		await(value + " recovered by the error handler").atMost(PATIENCE)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> this.recovered.stream().anyMatch((r) -> r.value().equals(value)));
	}

	record Arrival(String id, String kind, String name, String description, boolean childOfApplication,
			Instant deadline, CompletableFuture<String> end) {

		/**
		 * Waits for the scope to end.
		 * @return the reason it was cancelled, or {@code NONE}
		 */
		String awaitEnd() throws Exception {
			try {
				return this.end.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
			}
			catch (TimeoutException ex) {
				throw new AssertionError("the scope of " + this.description + " did not end within " + PATIENCE);
			}
		}

	}

	record Recovered(String value, long offset, Exception failure) {

	}

}
