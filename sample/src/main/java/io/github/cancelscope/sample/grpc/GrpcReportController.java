package io.github.cancelscope.sample.grpc;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.sample.WorkLog;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;

import org.springframework.context.event.EventListener;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The HTTP side of the gRPC demo: {@code GET /grpc-report?query=30s} calls the sample's own gRPC
 * service ({@link ReportService}) through a channel that Spring gRPC's {@link GrpcChannelFactory}
 * builds, with nothing of cancelscope added by hand. With cancelscope the call carries the
 * request's remaining time as its deadline and is cancelled when the request is (its client went
 * away, its deadline passed), and the service's query stops; without it the query runs on.
 */
@RestController
class GrpcReportController {

	private final GrpcChannelFactory channels;

	private final WorkLog work;

	private final AtomicReference<ManagedChannel> reports = new AtomicReference<>();

	GrpcReportController(GrpcChannelFactory channels, WorkLog work) {
		this.channels = channels;
		this.work = work;
	}

	/**
	 * Connects to the gRPC server once it listens: its port ({@code spring.grpc.server.port}) may
	 * be chosen at random.
	 * @param started the server's start
	 */
	@EventListener
	void connect(GrpcServerStartedEvent started) {
		this.reports.set(this.channels.createChannel("localhost:" + started.getPort()));
	}

	@GetMapping("/grpc-report")
	String report(@RequestParam(defaultValue = "30s") Duration query) throws Exception {
		ManagedChannel channel = this.reports.get();
		if (channel == null) {
			throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the gRPC server has not started yet");
		}
		return this.work.track("grpc call",
				() -> ClientCalls.blockingUnaryCall(channel, ReportMethods.RUN, CallOptions.DEFAULT, query.toString()));
	}

}
