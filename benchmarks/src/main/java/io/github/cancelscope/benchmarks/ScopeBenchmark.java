package io.github.cancelscope.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.Registration;
import io.github.cancelscope.ScopeOptions;
import io.github.cancelscope.Subtask;
import io.github.cancelscope.spi.ScopeSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a scope costs: forking and joining trivial tasks, against the JDK's StructuredTaskScope
 * (preview) and CompletableFuture on a virtual-thread executor; opening and closing a scope,
 * with and without a deadline; and the scope work of a request that runs one statement.
 * <p>
 * {@code java --enable-preview -jar benchmarks/target/benchmarks.jar ScopeBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-preview")
@State(Scope.Benchmark)
public class ScopeBenchmark {

	private static final ScopeOptions REQUEST = ScopeOptions.of(ScopeOptions.REQUEST);

	private static final Runnable NOTHING = () -> {
	};

	private CancellableScope application;

	private ExecutorService virtualThreads;

	@Setup(Level.Trial)
	public void setUp() {
		this.application = CancellableScope.root(ScopeSettings.defaults());
		this.virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.application.close();
		this.virtualThreads.close();
	}

	@Benchmark
	public Object openCloseScope() {
		try (CancellableScope scope = this.application.openChild()) {
			return scope;
		}
	}

	@Benchmark
	public Object openCloseScopeWithDeadline() {
		try (CancellableScope scope = this.application.openChild(Duration.ofSeconds(30))) {
			return scope;
		}
	}

	/**
	 * What the starter does in the scope of a request that runs one statement ({@code GET /healthy}),
	 * without the server, the pool or the driver: a child with a deadline and a description, bound;
	 * the pool wait's listener and interruptible region; the statement's abortable region; closed.
	 */
	@Benchmark
	public Object scopeOfARequestWithOneStatement() {
		CancellableScope scope = this.application.openChild(REQUEST.withDescription("GET /healthy")
			.withTimeout(Duration.ofSeconds(2)));
		try {
			return scope.call(() -> {
				scope.throwIfCancelled();
				Registration poolWait = scope.onCancel((cancellation) -> {
				});
				Object connection;
				try {
					connection = scope.interruptible("jdbc-pool", () -> "connection");
				}
				finally {
					poolWait.close();
				}
				return scope.abortable("jdbc", NOTHING, () -> connection);
			});
		}
		finally {
			scope.close();
		}
	}

	@Benchmark
	public Object forkJoinOneCancelscope() {
		try (CancellableScope scope = this.application.openChild()) {
			return scope.fork(() -> "a").join();
		}
	}

	@Benchmark
	public Object forkJoinThreeCancelscope() {
		try (CancellableScope scope = this.application.openChild()) {
			Subtask<String> a = scope.fork(() -> "a");
			Subtask<String> b = scope.fork(() -> "b");
			Subtask<String> c = scope.fork(() -> "c");
			return a.join() + b.join() + c.join();
		}
	}

	@Benchmark
	public Object forkJoinOneStructuredTaskScope() throws InterruptedException {
		try (var scope = StructuredTaskScope.open()) {
			StructuredTaskScope.Subtask<String> a = scope.fork(() -> "a");
			scope.join();
			return a.get();
		}
	}

	@Benchmark
	public Object forkJoinThreeStructuredTaskScope() throws InterruptedException {
		try (var scope = StructuredTaskScope.open()) {
			StructuredTaskScope.Subtask<String> a = scope.fork(() -> "a");
			StructuredTaskScope.Subtask<String> b = scope.fork(() -> "b");
			StructuredTaskScope.Subtask<String> c = scope.fork(() -> "c");
			scope.join();
			return a.get() + b.get() + c.get();
		}
	}

	@Benchmark
	public Object forkJoinOneCompletableFuture() {
		return CompletableFuture.supplyAsync(() -> "a", this.virtualThreads).join();
	}

	@Benchmark
	public Object forkJoinThreeCompletableFuture() {
		CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> "a", this.virtualThreads);
		CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> "b", this.virtualThreads);
		CompletableFuture<String> c = CompletableFuture.supplyAsync(() -> "c", this.virtualThreads);
		return a.join() + b.join() + c.join();
	}

}
