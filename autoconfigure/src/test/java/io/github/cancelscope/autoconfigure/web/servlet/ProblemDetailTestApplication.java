package io.github.cancelscope.autoconfigure.web.servlet;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.Scoped;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * An application with its own exception handling: a {@code ResponseEntityExceptionHandler} that
 * customises every problem detail of {@link OrdersController}, and an
 * {@code @ExceptionHandler(ScopeCancelledException.class)} for {@link ReportsController}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ ProblemDetailTestApplication.OrdersController.class, ProblemDetailTestApplication.ReportsController.class,
		ProblemDetailTestApplication.Problems.class, ProblemDetailTestApplication.Cancellations.class,
		ProblemDetailTestApplication.Expiring.class })
class ProblemDetailTestApplication {

	@RestController
	static class OrdersController {

		private final Expiring expiring;

		OrdersController(Expiring expiring) {
			this.expiring = expiring;
		}

		@GetMapping("/orders/deadline")
		String deadline() {
			return this.expiring.work();
		}

	}

	@RestController
	static class ReportsController {

		private final Expiring expiring;

		ReportsController(Expiring expiring) {
			this.expiring = expiring;
		}

		@GetMapping("/reports/deadline")
		String deadline() {
			return this.expiring.work();
		}

	}

	@Service
	static class Expiring {

		@Scoped(timeout = "0ms")
		String work() {
			RequestScope.current().throwIfCancelled();
			return "never";
		}

	}

	/**
	 * What applications do to give every problem their own fields.
	 */
	@RestControllerAdvice(assignableTypes = OrdersController.class)
	static class Problems extends ResponseEntityExceptionHandler {

		@Override
		protected ResponseEntity<Object> createResponseEntity(@Nullable Object body, HttpHeaders headers,
				HttpStatusCode statusCode, WebRequest request) {
			if (body instanceof ProblemDetail problem) {
				problem.setTitle("Orders are slow today");
				problem.setProperty("service", "orders");
			}
			return super.createResponseEntity(body, headers, statusCode, request);
		}

	}

	@RestControllerAdvice(assignableTypes = ReportsController.class)
	static class Cancellations {

		@ExceptionHandler
		ResponseEntity<String> cancelled(ScopeCancelledException ex) {
			return ResponseEntity.status(HttpStatus.REQUEST_TIMEOUT).body("reports gave up: " + ex.reason());
		}

	}

}
