package io.github.cancelscope.autoconfigure.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.CancellationReason;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.autoconfigure.escape.EscapedThread;
import io.github.cancelscope.autoconfigure.escape.EscapedThreads;
import io.github.cancelscope.spi.ScopeSnapshot;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@link Endpoint @Endpoint} that lists the scopes in flight (requests and start-up work) as trees
 * of their child scopes, forked tasks and blocking calls, and cancels one by id with reason
 * {@link CancellationReason#CANCELLED}: an operator's kill switch for a stuck request. With
 * {@code cancelscope.escaped.enabled}, it also lists the most recent threads that escaped their
 * unit of work (see {@link EscapedThreads}).
 */
@Endpoint(id = "cancelscope")
public class CancelScopeEndpoint {

	private final CancellableScope applicationScope;

	private final @Nullable EscapedThreads escapedThreads;

	/**
	 * Creates the endpoint.
	 * @param applicationScope the application scope, whose children are the scopes in flight
	 */
	public CancelScopeEndpoint(CancellableScope applicationScope) {
		this(applicationScope, null);
	}

	/**
	 * Creates the endpoint that also lists the threads that escaped their unit of work.
	 * @param applicationScope the application scope, whose children are the scopes in flight
	 * @param escapedThreads the escaped threads, or {@code null} if they are not watched
	 */
	public CancelScopeEndpoint(CancellableScope applicationScope, @Nullable EscapedThreads escapedThreads) {
		this.applicationScope = applicationScope;
		this.escapedThreads = escapedThreads;
	}

	/**
	 * Lists the scopes in flight, oldest first.
	 * @return the scopes
	 */
	@ReadOperation
	public ScopesDescriptor scopes() {
		Instant now = Instant.now();
		return new ScopesDescriptor(this.applicationScope.children()
			.stream()
			.map((scope) -> InFlightScopeDescriptor.of(scope, now))
			.sorted(Comparator.comparing(InFlightScopeDescriptor::started))
			.toList(), (this.escapedThreads != null) ? this.escapedThreads.recent() : null);
	}

	/**
	 * Describes one scope in flight.
	 * @param id the scope's id
	 * @return the scope, or {@code null} if no scope in flight has that id
	 */
	@ReadOperation
	public @Nullable InFlightScopeDescriptor scope(@Selector String id) {
		return find(id).map((scope) -> InFlightScopeDescriptor.of(scope, Instant.now())).orElse(null);
	}

	/**
	 * Cancels one scope in flight with reason {@link CancellationReason#CANCELLED}. A request that
	 * has not answered yet answers 503.
	 * @param id the scope's id
	 * @return what happened
	 */
	@WriteOperation
	public CancellationDescriptor cancel(@Selector String id) {
		return find(id)
			.map((scope) -> new CancellationDescriptor(id,
					scope.cancel(CancellationReason.CANCELLED) ? "cancelled" : "already-cancelled"))
			.orElseGet(() -> new CancellationDescriptor(id, "not-found"));
	}

	private Optional<CancellableScope> find(String id) {
		return this.applicationScope.children().stream().filter((scope) -> scope.id().equals(id)).findFirst();
	}

	/**
	 * The scopes in flight.
	 *
	 * @param scopes the scopes, oldest first
	 * @param escaped the most recent threads that a unit of work started and that were still alive
	 * when it ended, most recent first; {@code null} unless {@code cancelscope.escaped.enabled}
	 */
	public record ScopesDescriptor(List<InFlightScopeDescriptor> scopes,
			@Nullable List<EscapedThread> escaped) implements OperationResponseBody {

		/**
		 * Creates a descriptor without escaped threads.
		 * @param scopes the scopes, oldest first
		 */
		public ScopesDescriptor(List<InFlightScopeDescriptor> scopes) {
			this(scopes, null);
		}

	}

	/**
	 * A scope in flight.
	 *
	 * @param kind what opened the scope: {@code request}, {@code startup}, ...
	 * @param method the HTTP method of a request, or {@code null}
	 * @param path the path of a request, or the description of another scope, such as the runner
	 * a start-up scope runs
	 * @param started when the scope started
	 * @param scope what the scope is doing
	 */
	public record InFlightScopeDescriptor(String kind, @Nullable String method, String path, Instant started,
			ScopeDescriptor scope) implements OperationResponseBody {

		static InFlightScopeDescriptor of(CancellableScope scope, Instant now) {
			ScopeSnapshot snapshot = scope.snapshot();
			String description = scope.description();
			String method = null;
			String path = description;
			int space = description.indexOf(' ');
			if (scope.kind().equals(ScopeOptions.REQUEST) && space > 0) {
				method = description.substring(0, space);
				path = description.substring(space + 1);
			}
			return new InFlightScopeDescriptor(scope.kind(), method, path, now.minus(snapshot.age()),
					ScopeDescriptor.of(snapshot));
		}

	}

	/**
	 * What a scope is doing.
	 *
	 * @param id the scope's id, as in logs and traces
	 * @param kind what opened the scope: {@code request}, {@code method}, {@code group}, ...
	 * @param name the scope's name, such as the {@code @Scoped} method as {@code Type.method}
	 * @param ageMillis milliseconds since the scope opened
	 * @param deadline the deadline, or {@code null} if none
	 * @param remainingMillis milliseconds left until the deadline, or {@code null} if none
	 * @param cancellationReason why the scope was cancelled, or {@code null}
	 * @param forks forked tasks still running
	 * @param calls blocking calls running now in the scope, by kind ({@code jdbc}, {@code http}, ...)
	 * @param children child scopes ({@code @Scoped} calls, groups of {@code all} and {@code race})
	 */
	public record ScopeDescriptor(String id, String kind, String name, long ageMillis, @Nullable Instant deadline,
			@Nullable Long remainingMillis, @Nullable CancellationReason cancellationReason, List<ForkDescriptor> forks,
			Map<String, Integer> calls, List<ScopeDescriptor> children) {

		static ScopeDescriptor of(ScopeSnapshot snapshot) {
			Duration remaining = snapshot.remaining();
			return new ScopeDescriptor(snapshot.id(), snapshot.kind(), snapshot.name(), snapshot.age().toMillis(),
					snapshot.deadline(), (remaining != null) ? remaining.toMillis() : null, snapshot.cancellationReason(),
					snapshot.forks()
						.stream()
						.map((fork) -> new ForkDescriptor(fork.thread(), fork.threadState(), fork.regions()))
						.toList(),
					snapshot.regions(), snapshot.children().stream().map(ScopeDescriptor::of).toList());
		}

	}

	/**
	 * A forked task still running.
	 *
	 * @param thread the name of its thread
	 * @param state the state of its thread
	 * @param calls blocking calls running now on its thread, by kind
	 */
	public record ForkDescriptor(String thread, Thread.State state, Map<String, Integer> calls) {
	}

	/**
	 * The result of a cancellation.
	 *
	 * @param id the scope's id
	 * @param outcome {@code cancelled}, {@code already-cancelled} or {@code not-found}
	 */
	public record CancellationDescriptor(String id, String outcome) implements OperationResponseBody {
	}

}
