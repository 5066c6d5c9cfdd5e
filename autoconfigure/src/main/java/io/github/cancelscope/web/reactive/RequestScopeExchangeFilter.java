package io.github.cancelscope.web.reactive;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import io.github.cancelscope.web.DeadlineHeader;
import io.github.cancelscope.web.client.DeadlineHeaderPolicy;
import io.github.cancelscope.web.client.OutboundDeadlineHeaders;
import io.github.cancelscope.web.client.RequestScopeInterceptor;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Binds each exchange of a {@code WebClient} to the {@linkplain RequestScope scope} of the thread
 * that subscribes to it, as a blocking caller does with {@code .block()}. Inside a scope, an
 * exchange:
 * <ul>
 * <li>fails at once with {@link ScopeCancelledException}, without opening a connection, if the
 * scope is already cancelled;</li>
 * <li>sends the scope's remaining time in its {@linkplain #withDeadlineHeaders deadline headers},
 * as {@link RequestScopeInterceptor} does for {@code RestClient}, under the same
 * {@linkplain #withDeadlineHeaderPolicy policy};</li>
 * <li>is cancelled when the scope is, its deadline included, while waiting for the response and
 * while its body is read: the subscription is cancelled and, on Reactor Netty, the exchange's
 * connection closed, so the downstream server sees it close; the exchange fails with the scope's
 * {@code ScopeCancelledException}. (Reactor Netty keeps a cancelled exchange's connection open;
 * other connectors are left to what cancelling the subscription does.)</li>
 * </ul>
 * Outside a scope, and for a pipeline subscribed on another thread (a reactive pipeline that never
 * blocks a scope's thread), the filter does nothing. Spring Boot's {@code WebClient.Builder} gets it
 * through the starter's auto-configuration; by hand:
 * {@snippet :
 * WebClient client = WebClient.builder().filter(new RequestScopeExchangeFilter()).build();
 * }
 */
public final class RequestScopeExchangeFilter implements ExchangeFilterFunction {

	private final OutboundDeadlineHeaders deadlineHeaders;

	/**
	 * Creates a filter that sends the remaining time in
	 * {@value RequestScopeInterceptor#DEFAULT_TIMEOUT_HEADER} on every exchange.
	 */
	public RequestScopeExchangeFilter() {
		this(RequestScopeInterceptor.DEFAULT_TIMEOUT_HEADER);
	}

	/**
	 * Creates a filter that sends the remaining time in the given header on every exchange.
	 * @param timeoutHeader the header, or {@code null} or empty to send none
	 */
	public RequestScopeExchangeFilter(@Nullable String timeoutHeader) {
		this(OutboundDeadlineHeaders.timeoutHeader(timeoutHeader));
	}

	private RequestScopeExchangeFilter(OutboundDeadlineHeaders deadlineHeaders) {
		this.deadlineHeaders = deadlineHeaders;
	}

	/**
	 * Returns a filter like this one that sends the remaining time in the given headers.
	 * {@link DeadlineHeader#TIMEOUT_HEADER} is this filter's timeout header, and sends nothing if it
	 * has none.
	 * @param deadlineHeaders the headers, or none to send no deadline
	 * @return the new filter
	 */
	public RequestScopeExchangeFilter withDeadlineHeaders(Collection<DeadlineHeader> deadlineHeaders) {
		return new RequestScopeExchangeFilter(this.deadlineHeaders.withFormats(deadlineHeaders));
	}

	/**
	 * Returns a filter like this one that sends deadline headers only on exchanges that the given
	 * policy allows.
	 * @param policy the policy
	 * @return the new filter
	 */
	public RequestScopeExchangeFilter withDeadlineHeaderPolicy(DeadlineHeaderPolicy policy) {
		return new RequestScopeExchangeFilter(this.deadlineHeaders.withPolicy(policy));
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		Optional<RequestScope> current = RequestScope.find();
		if (current.isEmpty()) {
			return next.exchange(request);
		}
		RequestScope scope = current.get();
		if (scope.isCancelled()) {
			return Mono.error(scope.cancellation().orElseThrow()::toException);
		}
		AtomicReference<@Nullable Object> connection = new AtomicReference<>();
		ClientRequest sent = ClientRequest.from(withDeadline(scope, request))
			.httpRequest((httpRequest) -> connection.set(httpRequest.getNativeRequest()))
			.build();
		return next.exchange(sent)
			.takeUntilOther(cancellationOf(scope, connection))
			.map((response) -> response.mutate()
				.body((body) -> body.takeUntilOther(cancellationOf(scope, connection)))
				.build());
	}

	/**
	 * Returns a publisher that, when the scope is cancelled, closes the exchange's connection and
	 * fails with the scope's cancellation; it emits nothing else, and unsubscribing from it removes
	 * its listener.
	 */
	private static Mono<Void> cancellationOf(RequestScope scope, AtomicReference<@Nullable Object> connection) {
		return Mono.create((sink) -> {
			Registration registration = scope.onCancel((cancellation) -> {
				sink.error(cancellation.toException());
				Object nativeRequest = connection.get();
				if (nativeRequest != null) {
					ReactorNettyConnections.close(nativeRequest);
				}
			});
			sink.onDispose(registration::close);
		});
	}

	private ClientRequest withDeadline(RequestScope scope, ClientRequest request) {
		if (!this.deadlineHeaders.sendsAny()) {
			return request;
		}
		ClientRequest.Builder builder = ClientRequest.from(request);
		this.deadlineHeaders.write(scope, request.url(),
				(name, value) -> builder.headers((headers) -> headers.set(name, value)));
		return builder.build();
	}

}
