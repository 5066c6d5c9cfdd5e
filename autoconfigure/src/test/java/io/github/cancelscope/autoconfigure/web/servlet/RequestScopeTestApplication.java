package io.github.cancelscope.autoconfigure.web.servlet;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Scoped;
import io.github.cancelscope.Subtask;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small application whose endpoints exercise request scopes; what happened inside is recorded in
 * {@link #events} for the tests to check.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ RequestScopeTestApplication.Endpoints.class, RequestScopeTestApplication.SlowService.class,
		RequestScopeTestApplication.PricingService.class })
class RequestScopeTestApplication {

	static final Queue<String> events = new ConcurrentLinkedQueue<>();

	static void sleepUninterruptibly(Duration duration) {
		long end = System.nanoTime() + duration.toNanos();
		boolean interrupted = false;
		while (System.nanoTime() < end) {
			try {
				TimeUnit.NANOSECONDS.sleep(end - System.nanoTime());
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	@RestController
	static class Endpoints {

		private final RequestScope scope;

		private final SlowService slow;

		private final Pricing pricing;

		Endpoints(RequestScope scope, SlowService slow, Pricing pricing) {
			this.scope = scope;
			this.slow = slow;
			this.pricing = pricing;
		}

		@GetMapping("/deadline")
		String deadline() {
			Subtask<String> fast = this.scope.fork(() -> "fast");
			Subtask<String> stuck = this.scope.fork(() -> {
				RequestScope.current().defer(() -> events.add("stuck cleanup"));
				try {
					Thread.sleep(30_000);
					return "woke up";
				}
				catch (InterruptedException ex) {
					events.add("stuck interrupted");
					throw ex;
				}
			});
			return fast.join() + stuck.join();
		}

		@GetMapping("/sibling")
		String sibling() {
			this.scope.defer(() -> events.add("first cleanup"));
			this.scope.defer(() -> events.add("second cleanup"));
			CountDownLatch slowDeferred = new CountDownLatch(1);
			Subtask<String> slow = this.scope.fork(() -> {
				RequestScope.current().defer(() -> events.add("slow cleanup"));
				slowDeferred.countDown();
				Thread.sleep(30_000);
				return "slow";
			});
			this.scope.fork(() -> {
				// fails once its sibling runs: a sibling stopped before its thread took it never runs at all
				slowDeferred.await(10, TimeUnit.SECONDS);
				throw new TeapotException();
			});
			return slow.join();
		}

		@GetMapping("/sibling-handled")
		String siblingHandled() {
			Subtask<String> slow = this.scope.fork(() -> {
				Thread.sleep(30_000);
				return "slow";
			});
			this.scope.fork(() -> {
				throw new ConflictException("stock changed");
			});
			return slow.join();
		}

		@GetMapping("/sibling-unhandled")
		String siblingUnhandled() {
			Subtask<String> slow = this.scope.fork(() -> {
				Thread.sleep(30_000);
				return "slow";
			});
			this.scope.fork(() -> {
				throw new IllegalStateException("inventory service down");
			});
			return slow.join();
		}

		@ExceptionHandler
		ResponseEntity<String> conflict(ConflictException ex) {
			return ResponseEntity.status(HttpStatus.CONFLICT).body("conflict: " + ex.getMessage());
		}

		@GetMapping("/race")
		String race() {
			CountDownLatch losersStarted = new CountDownLatch(2);
			String winner = this.scope.race(List.of(() -> {
				losersStarted.await();
				return "winner";
			}, () -> loser("loser-1", losersStarted), () -> loser("loser-2", losersStarted)));
			return winner + " after " + events.stream().filter((e) -> e.startsWith("loser")).sorted().toList();
		}

		private String loser(String name, CountDownLatch started) throws InterruptedException {
			RequestScope.current().defer(() -> {
				sleepUninterruptibly(Duration.ofMillis(100));
				events.add(name + " cleaned up");
			});
			started.countDown();
			Thread.sleep(30_000);
			return name;
		}

		@GetMapping("/remaining")
		String remaining() {
			return this.scope.remaining().map((left) -> Long.toString(left.toMillis())).orElse("none");
		}

		@GetMapping("/scoped-remaining")
		String scopedRemaining() {
			return this.pricing.remainingMillis() + " of " + remaining();
		}

		@GetMapping("/scoped-deadline")
		String scopedDeadline() throws InterruptedException {
			return this.slow.sleep(Duration.ofSeconds(30));
		}

		@GetMapping("/interruptible-deadline")
		String interruptibleDeadline() throws InterruptedException {
			String outcome = this.scope.interruptible("test", () -> {
				try {
					Thread.sleep(30_000);
					return "slept";
				}
				catch (InterruptedException ex) {
					// what well-behaved code does: keep the interrupt for its caller
					Thread.currentThread().interrupt();
					return "interrupted";
				}
			});
			return outcome + " on " + Thread.currentThread().getName() + " interrupted="
					+ Thread.currentThread().isInterrupted();
		}

		@GetMapping("/leave-interrupted")
		String leaveInterrupted() {
			Thread.currentThread().interrupt();
			return "left the interrupt set";
		}

		@GetMapping("/thread")
		String thread() {
			return Thread.currentThread().getName() + " interrupted=" + Thread.currentThread().isInterrupted();
		}

	}

	@ResponseStatus(HttpStatus.I_AM_A_TEAPOT)
	static class TeapotException extends RuntimeException {

	}

	static class ConflictException extends RuntimeException {

		ConflictException(String message) {
			super(message);
		}

	}

	@Service
	static class SlowService {

		@Scoped(timeout = "200ms")
		String sleep(Duration duration) throws InterruptedException {
			RequestScope scope = RequestScope.current();
			return scope.interruptible("test", () -> {
				try {
					Thread.sleep(duration.toMillis());
					return "slept";
				}
				catch (InterruptedException ex) {
					events.add("scoped sleep interrupted");
					scope.throwIfCancelled();
					throw ex;
				}
			});
		}

	}

	interface Pricing {

		@Scoped(timeout = "${test.pricing-timeout:150ms}")
		long remainingMillis();

	}

	@Service
	static class PricingService implements Pricing {

		@Override
		public long remainingMillis() {
			return RequestScope.current().remaining().orElseThrow().toMillis();
		}

	}

}
