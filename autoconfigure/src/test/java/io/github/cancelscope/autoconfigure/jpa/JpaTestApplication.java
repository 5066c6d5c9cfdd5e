package io.github.cancelscope.autoconfigure.jpa;

import java.util.List;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Subtask;
import io.github.cancelscope.autoconfigure.HandlerFailures;
import io.github.cancelscope.autoconfigure.PostgresActivity;
import io.github.cancelscope.autoconfigure.ScopeEnds;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application whose handlers run Spring Data JPA repository queries that sleep 30 s on
 * PostgreSQL unless cancelled. Each request names itself with an {@code id}; how its scope ended is
 * kept in {@link ScopeEnds}, and the failure its handler saw in {@link HandlerFailures}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import({ JpaTestApplication.PurchaseController.class, JpaTestApplication.Purchases.class })
class JpaTestApplication {

	static final String APPLICATION_NAME = "cancelscope-jpa";

	static final double SLEEP_SECONDS = 30;

	@RestController
	static class PurchaseController {

		private final Purchases purchases;

		private final PurchaseRepository repository;

		PurchaseController(Purchases purchases, PurchaseRepository repository) {
			this.purchases = purchases;
			this.repository = repository;
		}

		/**
		 * Two slow repository queries and a sibling that fails once both run on the server.
		 */
		@GetMapping("/sibling-fails")
		String siblingFails(@RequestParam String id) {
			ScopeEnds.track(id);
			RequestScope scope = RequestScope.current();
			List<Subtask<Integer>> queries = List.of(scope.fork(() -> this.repository.sleep(SLEEP_SECONDS)),
					scope.fork(() -> this.repository.sleep(SLEEP_SECONDS)));
			Subtask<Void> sibling = scope.fork(() -> {
				PostgresActivity.awaitRunning(APPLICATION_NAME, 2);
				throw new IllegalStateException("sibling failed");
			});
			return HandlerFailures.record(id, () -> {
				for (Subtask<Integer> query : queries) {
					query.join();
				}
				sibling.join();
				return "done";
			});
		}

		@GetMapping("/slow")
		String slow(@RequestParam String id, @RequestParam(defaultValue = "none") String hint) {
			ScopeEnds.track(id);
			return HandlerFailures.record(id, () -> switch (hint) {
				case "1s" -> this.repository.sleepWithin1Second(SLEEP_SECONDS);
				case "20s" -> this.repository.sleepWithin20Seconds(SLEEP_SECONDS);
				default -> this.repository.sleep(SLEEP_SECONDS);
			} + "");
		}

		@GetMapping("/insert-then-slow")
		String insertThenSlow(@RequestParam String id, @RequestParam long purchase) {
			ScopeEnds.track(id);
			return HandlerFailures.record(id, () -> {
				this.purchases.insertThenSleep(purchase);
				return "done";
			});
		}

		@GetMapping("/exists")
		boolean exists(@RequestParam long purchase) {
			return this.repository.existsById(purchase);
		}


	}

	static class Purchases {

		private final PurchaseRepository repository;

		Purchases(PurchaseRepository repository) {
			this.repository = repository;
		}

		@Transactional
		public void insertThenSleep(long purchase) {
			this.repository.saveAndFlush(new Purchase(purchase));
			this.repository.sleep(SLEEP_SECONDS);
		}

	}

}
