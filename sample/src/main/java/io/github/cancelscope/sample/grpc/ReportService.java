package io.github.cancelscope.sample.grpc;

import java.time.Duration;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.sample.WorkLog;
import io.github.cancelscope.sample.zombie.SlowQueries;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * The gRPC service: each call runs a query that takes the time the request asks for. Spring gRPC
 * serves it (any {@link BindableService} bean); with cancelscope each call runs in a scope of kind
 * {@code grpc}, so when the caller cancels the call or its deadline passes, the query stops on the
 * database. Without it the query runs to its end, for nobody.
 */
@Component
class ReportService implements BindableService {

	private final SlowQueries queries;

	private final WorkLog work;

	ReportService(SlowQueries queries, WorkLog work) {
		this.queries = queries;
		this.work = work;
	}

	@Override
	public ServerServiceDefinition bindService() {
		return ServerServiceDefinition.builder("sample.Reports")
			.addMethod(ReportMethods.RUN, ServerCalls.asyncUnaryCall((query, response) -> {
				try {
					response.onNext(run(DurationStyle.detectAndParse(query)));
					response.onCompleted();
				}
				catch (Exception ex) {
					response.onError(Status.fromThrowable(ex).withDescription(ex.getMessage()).asRuntimeException());
				}
			}))
			.build();
	}

	private String run(Duration query) throws Exception {
		RequestScope.find().ifPresent((scope) -> scope.defer(() -> this.work.cleanupRan("grpc report")));
		return this.work.track("grpc report query", () -> {
			this.queries.run(query);
			return "grpc report after " + query.toMillis() + " ms";
		});
	}

}
