package io.github.cancelscope.web.client;

import java.io.IOException;
import java.util.Collection;
import java.util.Optional;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.web.DeadlineHeader;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Binds each outbound call of a {@code RestClient} or {@code RestTemplate} to the
 * {@linkplain RequestScope scope} of the calling thread. Inside a scope, a call:
 * <ul>
 * <li>fails at once with {@link ScopeCancelledException}, without opening a connection, if the
 * scope is already cancelled;</li>
 * <li>sends the scope's remaining time, as it is and rounded down, in its
 * {@linkplain #withDeadlineHeaders deadline headers} (by default the timeout header, in
 * milliseconds), so the next service's scope inherits the deadline; no header when the scope has no
 * deadline, or when the {@linkplain #withDeadlineHeaderPolicy policy} refuses the call's URI;</li>
 * <li>is aborted when the scope is cancelled, while waiting for the response and while its body is
 * read or drained, so the downstream server sees the connection close and the scope's deadline
 * bounds the call. The call then throws {@link ScopeCancelledException} with the scope's reason,
 * the client's own failure suppressed, and the calling thread keeps no interrupt status.</li>
 * </ul>
 * Outside a scope the interceptor does nothing.
 * <p>
 * Spring Boot's {@code RestClient.Builder} and {@code RestTemplateBuilder} get it through the
 * starter's auto-configuration. A client built by hand opts in with one call:
 * {@snippet :
 * RestClient client = RestClient.builder()
 *     .requestInterceptor(new RequestScopeInterceptor())
 *     .build();
 * }
 * Calls are aborted with the JDK {@code HttpClient} (the default request factory) and with
 * Apache HttpComponents 5 as configured by Spring Boot, or by hand with
 * {@link HttpComponentsExchangeCancellation}. With other request factories an abort only
 * interrupts the calling thread, which most of them ignore while waiting on a socket.
 */
public final class RequestScopeInterceptor implements ClientHttpRequestInterceptor {

	/** Header used by default, as {@code cancelscope.request.timeout-header}. */
	public static final String DEFAULT_TIMEOUT_HEADER = "X-Request-Timeout-Ms";

	private final OutboundDeadlineHeaders headers;

	/**
	 * Creates an interceptor that sends the remaining time in {@value #DEFAULT_TIMEOUT_HEADER} on
	 * every call.
	 */
	public RequestScopeInterceptor() {
		this(DEFAULT_TIMEOUT_HEADER);
	}

	/**
	 * Creates an interceptor that sends the remaining time in the given header on every call.
	 * @param timeoutHeader the header, or {@code null} or empty to send none
	 */
	public RequestScopeInterceptor(@Nullable String timeoutHeader) {
		this(OutboundDeadlineHeaders.timeoutHeader(timeoutHeader));
	}

	private RequestScopeInterceptor(OutboundDeadlineHeaders headers) {
		this.headers = headers;
	}

	/**
	 * Returns an interceptor like this one that sends the remaining time in the given headers.
	 * {@link DeadlineHeader#TIMEOUT_HEADER} is this interceptor's timeout header, and sends nothing
	 * if it has none.
	 * @param deadlineHeaders the headers, or none to send no deadline
	 * @return the new interceptor
	 */
	public RequestScopeInterceptor withDeadlineHeaders(Collection<DeadlineHeader> deadlineHeaders) {
		return new RequestScopeInterceptor(this.headers.withFormats(deadlineHeaders));
	}

	/**
	 * Returns an interceptor like this one that sends deadline headers only on calls that the given
	 * policy allows.
	 * @param policy the policy
	 * @return the new interceptor
	 */
	public RequestScopeInterceptor withDeadlineHeaderPolicy(DeadlineHeaderPolicy policy) {
		return new RequestScopeInterceptor(this.headers.withPolicy(policy));
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		Optional<RequestScope> current = RequestScope.find();
		if (current.isEmpty()) {
			return execution.execute(request, body);
		}
		RequestScope scope = current.get();
		scope.throwIfCancelled();
		if (this.headers.sendsAny()) {
			this.headers.write(scope, request.getURI(), request.getHeaders()::set);
		}
		ScopedExchange exchange = new ScopedExchange(scope);
		try {
			return exchange.execute(() -> execution.execute(request, body));
		}
		catch (IOException | RuntimeException ex) {
			exchange.end();
			throw ex;
		}
	}

}
