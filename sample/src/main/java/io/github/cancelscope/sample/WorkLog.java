package io.github.cancelscope.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.github.cancelscope.ScopeCancelledException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Records the demo's units of work as they start and end, so you can see, at {@code GET /work},
 * what is still running after the request that started it was answered.
 */
@Component
@RestController
public class WorkLog {

	private static final Logger logger = LoggerFactory.getLogger(WorkLog.class);

	private final AtomicLong ids = new AtomicLong();

	private final Map<Long, String> running = new ConcurrentHashMap<>();

	private final Deque<String> ended = new ArrayDeque<>();

	/**
	 * Runs {@code work}, recording it as running until it completes, fails or is cancelled.
	 * @param name what the work is
	 * @param work the work
	 * @return what the work returns
	 * @throws Exception what the work throws
	 */
	public <T> T track(String name, Callable<T> work) throws Exception {
		long id = this.ids.incrementAndGet();
		Instant started = Instant.now();
		this.running.put(id, name);
		logger.info("{} started", name);
		String outcome = "completed";
		try {
			return work.call();
		}
		catch (InterruptedException | ScopeCancelledException ex) {
			outcome = "cancelled";
			throw ex;
		}
		catch (Exception ex) {
			// a query or call stopped by its scope throws the driver's or client's exception type
			outcome = (ScopeCancelledException.findIn(ex) != null) ? "cancelled" : "failed (" + ex.getMessage() + ")";
			throw ex;
		}
		finally {
			this.running.remove(id);
			String line = name + " " + outcome + " after " + Duration.between(started, Instant.now()).toMillis() + " ms";
			synchronized (this.ended) {
				this.ended.addFirst(line);
				while (this.ended.size() > 20) {
					this.ended.removeLast();
				}
			}
			logger.info(line);
		}
	}

	/**
	 * Prints that a cleanup ran, for the demo and the process tests that read the output.
	 * @param what whose cleanup
	 */
	public void cleanupRan(String what) {
		// stdout on purpose: the process tests read it, and it must survive logging shutdown
		System.out.println("cleanup ran: " + what);
	}

	@GetMapping("/work")
	Map<String, List<String>> work() {
		synchronized (this.ended) {
			return Map.of("running", List.copyOf(this.running.values()), "ended", new ArrayList<>(this.ended));
		}
	}

}
