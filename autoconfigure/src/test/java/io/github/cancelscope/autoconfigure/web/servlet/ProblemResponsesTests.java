package io.github.cancelscope.autoconfigure.web.servlet;

import io.github.cancelscope.CancellationReason;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProblemResponses}.
 */
class ProblemResponsesTests {

	private final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/\"42\"");

	private final MockHttpServletResponse response = new MockHttpServletResponse();

	@Test
	void deadlineIsAGatewayTimeoutProblemWithoutInternals() throws Exception {
		assertThat(ProblemResponses.answer(CancellationReason.DEADLINE_EXCEEDED, this.request, this.response)).isTrue();
		assertThat(this.response.getStatus()).isEqualTo(504);
		assertThat(this.response.getContentType()).isEqualTo("application/problem+json");
		assertThat(this.response.getContentAsString()).isEqualTo("{\"type\":\"about:blank\",\"title\":\"Gateway Timeout\","
				+ "\"status\":504,\"detail\":\"The request did not complete within its deadline.\","
				+ "\"instance\":\"/orders/\\\"42\\\"\",\"reason\":\"DEADLINE_EXCEEDED\"}");
	}

	@Test
	void shutdownIsServiceUnavailable() throws Exception {
		assertThat(ProblemResponses.answer(CancellationReason.SHUTDOWN, this.request, this.response)).isTrue();
		assertThat(this.response.getStatus()).isEqualTo(503);
		assertThat(this.response.getContentAsString()).contains("\"reason\":\"SHUTDOWN\"");
	}

	@Test
	void goneClientGetsNothingButTheStatusIsNoSuccess() throws Exception {
		assertThat(ProblemResponses.answer(CancellationReason.CLIENT_DISCONNECTED, this.request, this.response))
			.isTrue();
		assertThat(this.response.getStatus()).isEqualTo(499);
		assertThat(this.response.getContentAsByteArray()).isEmpty();
	}

	@Test
	void siblingFailureIsLeftToTheApplicationsErrorHandling() throws Exception {
		assertThat(ProblemResponses.answer(CancellationReason.SIBLING_FAILED, this.request, this.response)).isFalse();
		assertThat(this.response.getStatus()).isEqualTo(200);
		assertThat(this.response.getContentAsByteArray()).isEmpty();
	}

	@Test
	void committedResponseIsLeftAlone() throws Exception {
		this.response.setCommitted(true);
		assertThat(ProblemResponses.answer(CancellationReason.DEADLINE_EXCEEDED, this.request, this.response)).isTrue();
		assertThat(this.response.getStatus()).isEqualTo(200);
		assertThat(this.response.getContentAsByteArray()).isEmpty();
	}

}
