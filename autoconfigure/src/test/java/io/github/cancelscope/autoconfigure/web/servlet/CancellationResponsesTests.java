package io.github.cancelscope.autoconfigure.web.servlet;

import java.util.ArrayList;
import java.util.List;

import io.github.cancelscope.Cancellation;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeCancelledException;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.StaticMessageSource;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.ErrorResponseException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CancellationResponses}.
 */
class CancellationResponsesTests {

	private final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/42");

	private final MockHttpServletResponse response = new MockHttpServletResponse();

	private final CancellationResponses responses = new CancellationResponses(CancellationResponsesTests::converters,
			null);

	@Test
	void deadlineIsAGatewayTimeoutProblemWithoutInternals() throws Exception {
		assertThat(this.responses.answer(cancelled(CancellationReason.DEADLINE_EXCEEDED), this.request, this.response))
			.isTrue();
		assertThat(this.response.getStatus()).isEqualTo(504);
		assertThat(this.response.getContentType()).isEqualTo("application/problem+json");
		assertThat(this.response.getContentAsString()).contains("\"type\":\"about:blank\"",
				"\"title\":\"Gateway Timeout\"", "\"status\":504",
				"\"detail\":\"The request did not complete within its deadline.\"", "\"instance\":\"/orders/42\"",
				"\"reason\":\"DEADLINE_EXCEEDED\"")
			.doesNotContain("Exception", "cancelscope");
	}

	@Test
	void shutdownIsServiceUnavailable() throws Exception {
		assertThat(this.responses.answer(cancelled(CancellationReason.SHUTDOWN), this.request, this.response)).isTrue();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getContentAsString()).contains("\"reason\":\"SHUTDOWN\"");
	}

	@Test
	void explicitCancellationIsServiceUnavailable() throws Exception {
		assertThat(this.responses.answer(cancelled(CancellationReason.CANCELLED), this.request, this.response)).isTrue();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getContentAsString()).contains("\"reason\":\"CANCELLED\"");
	}

	@Test
	void goneClientGetsNothingButTheStatusIsNoSuccess() throws Exception {
		assertThat(this.responses.answer(cancelled(CancellationReason.CLIENT_DISCONNECTED), this.request, this.response))
			.isTrue();
		assertThat(this.response.getStatus()).isEqualTo(499);
		assertThat(this.response.getContentAsByteArray()).isEmpty();
	}

	@Test
	void siblingFailureIsLeftToTheApplicationsErrorHandling() throws Exception {
		assertThat(this.responses.answer(cancelled(CancellationReason.SIBLING_FAILED), this.request, this.response))
			.isFalse();
		assertThat(this.response.getStatus()).isEqualTo(200);
		assertThat(this.response.getContentAsByteArray()).isEmpty();
	}

	@Test
	void committedResponseIsLeftAlone() throws Exception {
		this.response.setCommitted(true);
		assertThat(this.responses.answer(cancelled(CancellationReason.DEADLINE_EXCEEDED), this.request, this.response))
			.isTrue();
		assertThat(this.response.getStatus()).isEqualTo(200);
		assertThat(this.response.getContentAsByteArray()).isEmpty();
	}

	@Test
	void uriThatIsNoValidUriIsQuotedInTheInstance() {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/\"42\"");
		ErrorResponseException problem = CancellationResponses
			.problem(cancelled(CancellationReason.DEADLINE_EXCEEDED), request);
		assertThat(problem.getBody().getInstance()).hasToString("/orders/%2242%22");
	}

	@Test
	void problemIsAnErrorResponseWhoseCauseIsTheCancellation() {
		ScopeCancelledException cancelled = cancelled(CancellationReason.SHUTDOWN);
		ErrorResponseException problem = CancellationResponses.problem(cancelled, this.request);
		assertThat(problem).hasCause(cancelled);
		assertThat(problem.getStatusCode().value()).isEqualTo(503);
		assertThat(problem.getBody().getType()).hasToString("about:blank");
		assertThat(problem.getBody().getTitle()).isEqualTo("Service Unavailable");
		assertThat(problem.getBody().getProperties()).containsEntry("reason", "SHUTDOWN");
	}

	@Test
	void detailCanBeLocalisedByReason() throws Exception {
		StaticMessageSource messages = new StaticMessageSource();
		messages.addMessage("problemDetail.io.github.cancelscope.ScopeCancelledException.DEADLINE_EXCEEDED",
				this.request.getLocale(), "Zu spät.");
		new CancellationResponses(CancellationResponsesTests::converters, messages)
			.answer(cancelled(CancellationReason.DEADLINE_EXCEEDED), this.request, this.response);
		assertThat(this.response.getContentAsString()).contains("\"detail\":\"Zu spät.\"");
	}

	private static ScopeCancelledException cancelled(CancellationReason reason) {
		return Cancellation.of(reason, (reason == CancellationReason.SIBLING_FAILED) ? new IllegalStateException() : null)
			.toException();
	}

	private static List<HttpMessageConverter<?>> converters() {
		List<HttpMessageConverter<?>> converters = new ArrayList<>();
		HttpMessageConverters.forServer().registerDefaults().build().forEach(converters::add);
		return converters;
	}

}
