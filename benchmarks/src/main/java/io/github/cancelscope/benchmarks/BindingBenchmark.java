package io.github.cancelscope.benchmarks;

import java.util.concurrent.TimeUnit;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.spi.ScopeSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What binding a scope to a thread and forking cost, per way of doing it: the scope bound with a
 * {@code ScopedValue} or a {@code ThreadLocal}, forks on virtual or pooled platform threads. Each
 * combination runs in a JVM of its own (JMH forks one per parameter set), where the system
 * properties {@code cancelscope.binding} and {@code cancelscope.forks} are set before cancelscope's
 * classes load.
 * <p>
 * Java 25: {@code java -jar benchmarks/target/benchmarks.jar BindingBenchmark}. Java 17, where only
 * the thread-local binding and platform threads exist: build with {@code -Pjava17-benchmarks} (see the
 * README) and run {@code java -jar benchmarks/target-java17/benchmarks.jar BindingBenchmark
 * -p binding=thread-local -p forks=platform}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class BindingBenchmark {

	@Param({ "scoped-value", "thread-local" })
	public String binding;

	@Param({ "virtual", "platform" })
	public String forks;

	private CancellableScope application;

	private CancellableScope request;

	@Setup(Level.Trial)
	public void setUp() {
		// before any cancelscope class initialises: the choice is made once per JVM
		System.setProperty("cancelscope.binding", this.binding);
		System.setProperty("cancelscope.forks", this.forks);
		this.application = CancellableScope.root(ScopeSettings.defaults());
		this.request = this.application.openChild();
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.request.close();
		this.application.close();
	}

	/** Binds the scope to the calling thread and reads it back: what every request does once. */
	@Benchmark
	public Object bindAndRead() {
		return this.request.call(RequestScope::current);
	}

	/** Enters and leaves a region on a bound thread: what every JDBC statement does. */
	@Benchmark
	public Object regionInBoundScope() {
		return this.request.call(() -> this.request.abortable("jdbc", BindingBenchmark::noAbort, () -> "row"));
	}

	/** Forks a trivial task and joins it. */
	@Benchmark
	public Object forkJoin() {
		return this.request.fork(() -> "done").join();
	}

	private static void noAbort() {
	}

}
