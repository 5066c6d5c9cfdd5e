package io.github.cancelscope.autoconfigure.grpc;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.grpc.ScopedServerInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.fail;

/**
 * Service B: a gRPC server (Netty, loopback) whose one method runs a 30 s query on PostgreSQL
 * through the decorated DataSource (or, for an id starting with {@code quick}, answers at once), each
 * call in the scope {@link ScopedServerInterceptor} gives it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class GrpcServiceB {

	@Bean(destroyMethod = "shutdownNow")
	Server grpcServer(ScopedServerInterceptor scopes, JdbcTemplate jdbc) throws IOException {
		ServerServiceDefinition reports = ServerServiceDefinition.builder("test.Reports")
			.addMethod(StringMethods.SLOW_REPORT, ServerCalls.asyncUnaryCall((id, response) -> {
				response.onNext(slowReport(id, jdbc));
				response.onCompleted();
			}))
			.build();
		return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
			.addService(ServerInterceptors.intercept(reports, scopes))
			.build()
			.start();
	}

	private static String slowReport(String id, JdbcTemplate jdbc) {
		if (id.startsWith("quick")) {
			return "quick report " + id;
		}
		Call call = Call.of(id);
		RequestScope scope = RequestScope.current();
		call.scopeKind = scope.kind() + " " + scope.name();
		call.hadDeadline = scope.remaining().isPresent();
		scope.onCancel((cancellation) -> call.cancelledAt = System.nanoTime());
		scope.defer(() -> call.ended.complete(scope.cancellation().map((c) -> c.reason().name()).orElse("NONE")));
		return jdbc.execute((ConnectionCallback<String>) (connection) -> {
			try (Statement statement = connection.createStatement()) {
				try (ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()")) {
					pid.next();
					call.backend = pid.getInt(1);
				}
				call.started.countDown();
				statement.execute("SELECT pg_sleep(30)");
				return "report " + id;
			}
		});
	}

	/**
	 * What happened to one call, shared by the handler and the test (one JVM).
	 */
	static final class Call {

		private static final Map<String, Call> all = new ConcurrentHashMap<>();

		final CountDownLatch started = new CountDownLatch(1);

		final CompletableFuture<String> ended = new CompletableFuture<>();

		volatile int backend = -1;

		volatile String scopeKind;

		volatile boolean hadDeadline;

		volatile long cancelledAt;

		static Call of(String id) {
			return all.computeIfAbsent(id, (key) -> new Call());
		}

		Call awaitStarted() throws InterruptedException {
			if (!this.started.await(20, TimeUnit.SECONDS)) {
				fail("the call never started its query");
			}
			return this;
		}

		String awaitEnded() throws InterruptedException, ExecutionException {
			try {
				return this.ended.get(20, TimeUnit.SECONDS);
			}
			catch (TimeoutException ex) {
				return fail("the call's scope did not end within 20 s");
			}
		}

	}

}
