package io.github.cancelscope.benchmarks.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite's settings: {@code --short} (CI) or full, and where things are.
 *
 * @param shortRun whether this is the short run (smaller soak)
 * @param sampleJar the sample's jar
 * @param actuatorLib the folder of actuator jars added to the sample through {@code loader.path}
 * @param results where the JSON and Markdown go
 * @param clients closed-loop clients of the load during a fault
 * @param storms the sizes of the disconnect storms, one after the other
 * @param sigtermStorm the connections of the storm that SIGTERM interrupts
 * @param soak how long the soak runs
 * @param deadline the deadline each load request asks for ({@code X-Request-Timeout-Ms})
 * @param bound how long past its deadline a request may be answered (cancelscope's
 * {@code jdbc.abort-after}, 1 s by default, and 1 s for a loaded machine)
 * @param shutdownGrace the sample's {@code cancelscope.shutdown.grace}
 * @param jvmOptions the sample's JVM options
 * @param faults the faults to run, in the suite's order
 * @param appArguments more arguments for the sample ({@code --name=value}), for example to see a
 * check fail with a safeguard switched off
 */
record ChaosOptions(boolean shortRun, Path sampleJar, Path actuatorLib, Path results, int clients, List<Integer> storms,
		int sigtermStorm, Duration soak, Duration deadline, Duration bound, Duration shutdownGrace,
		List<String> jvmOptions, List<String> faults, List<String> appArguments) {

	static final List<String> FAULTS = List.of("postgres-restart", "postgres-stall", "downstream-stall",
			"downstream-reset", "storms", "soak", "sigterm-in-storm");

	static String usage() {
		return """
				Usage: java -cp benchmarks/target/benchmarks.jar io.github.cancelscope.benchmarks.chaos.ChaosSuite [options]
				       (or benchmarks/chaos/chaos.sh [options], which builds what is missing first)

				Runs the sample on a PostgreSQL the suite controls and, under load, restarts the database, stalls it
				(SIGSTOP) for 5 s, stalls and resets the dashboard's downstream, closes 1000 then 2000 keep-alive
				clients at once, soaks, and sends SIGTERM in the middle of a disconnect storm; after each fault it
				checks that nothing is left behind. Exit status 1 when a check fails, 2 on bad arguments.

				  --short                 the CI run: a 30 s soak, storms of 1000 and 2000 (under ~5 min on 2 cores)
				  --soak=DURATION         how long the soak runs                       [10m; 30s with --short]
				  --storms=N,N            disconnect storm sizes                       [1000,2000]
				  --sigterm-storm=N       connections of the storm SIGTERM interrupts  [500]
				  --clients=N             closed-loop clients during a fault           [40]
				  --sample-jar=PATH       the sample's jar        [sample/<build folder>/cancelscope-sample-*.jar]
				  --actuator-lib=PATH     actuator jars for the sample  [benchmarks/<build folder>/sample-actuator]
				  --build-folder=NAME     Maven's build folder where the jars above are looked for   [target]
				  --results=PATH          where chaos-results.json and chaos-results.md go   [benchmarks/results]
				  --faults=NAME,...       only these faults: postgres-restart, postgres-stall, downstream-stall,
				                          downstream-reset, storms, soak, sigterm-in-storm          [all]
				  --app-arg=--NAME=VALUE  one more argument for the sample (repeatable), e.g.
				                          --app-arg=--cancelscope.jdbc.abort-after=30s to see the stall check fail
				""";
	}

	static ChaosOptions parse(String[] args, Path project) {
		boolean shortRun = false;
		Duration soak = null;
		List<Integer> storms = List.of(1000, 2000);
		int sigterm = 500;
		int clients = 40;
		Path jar = null;
		Path lib = null;
		String folder = "target";
		Path results = project.resolve("benchmarks/results");
		List<String> appArguments = new ArrayList<>();
		List<String> faults = FAULTS;
		for (String arg : args) {
			String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
			String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
			switch (name) {
				case "--short" -> shortRun = true;
				case "--soak" -> soak = duration(name, value);
				case "--storms" -> {
					List<Integer> sizes = new ArrayList<>();
					for (String size : value.split(",")) {
						sizes.add(positive(name, size));
					}
					storms = List.copyOf(sizes);
				}
				case "--sigterm-storm" -> sigterm = positive(name, value);
				case "--clients" -> clients = positive(name, value);
				case "--sample-jar" -> jar = Path.of(value);
				case "--actuator-lib" -> lib = Path.of(value);
				case "--build-folder" -> folder = value;
				case "--results" -> results = Path.of(value);
				case "--faults" -> {
					faults = List.of(value.split(","));
					for (String fault : faults) {
						if (!FAULTS.contains(fault)) {
							throw new IllegalArgumentException("--faults: unknown fault '" + fault + "'; the faults are " + FAULTS);
						}
					}
				}
				case "--app-arg" -> {
					if (!value.startsWith("--") || !value.contains("=")) {
						throw new IllegalArgumentException("--app-arg takes --name=value, not '" + value + "'");
					}
					appArguments.add(value);
				}
				default -> throw new IllegalArgumentException("Unknown option: " + arg);
			}
		}
		if (soak == null) {
			soak = shortRun ? Duration.ofSeconds(30) : Duration.ofMinutes(10);
		}
		if (jar == null) {
			jar = sampleJar(project.resolve("sample").resolve(folder));
		}
		if (!Files.isRegularFile(jar)) {
			throw new IllegalArgumentException("No sample jar at " + jar + ". Build it first:\n"
					+ "  ./mvnw -q -pl sample,benchmarks -am package -DskipTests\nor give --sample-jar=");
		}
		if (lib == null) {
			lib = project.resolve("benchmarks").resolve(folder).resolve("sample-actuator");
		}
		if (!Files.isRegularFile(lib.resolve("spring-boot-actuator-autoconfigure-" + bootVersion(lib) + ".jar"))) {
			throw new IllegalArgumentException("No actuator jars in " + lib + " (the benchmarks build copies them there"
					+ " at package). Build it first:\n  ./mvnw -q -pl sample,benchmarks -am package -DskipTests\n"
					+ "or give --actuator-lib=");
		}
		return new ChaosOptions(shortRun, jar, lib, results, clients, storms, sigterm, soak, Duration.ofSeconds(2),
				Duration.ofSeconds(2), Duration.ofSeconds(2), List.of("-Xms256m", "-Xmx512m", "-Xss512k"), faults, List.copyOf(appArguments));
	}

	boolean runs(String fault) {
		return this.faults.contains(fault);
	}

	int largestStorm() {
		return Math.max(this.sigtermStorm, this.storms.stream().mapToInt(Integer::intValue).max().orElse(0));
	}

	Map<String, Object> asMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("mode", this.shortRun ? "short" : "full");
		map.put("sampleJar", this.sampleJar.toString());
		map.put("clients", this.clients);
		map.put("storms", this.storms);
		map.put("sigtermStorm", this.sigtermStorm);
		map.put("soak", format(this.soak));
		map.put("requestDeadline", format(this.deadline));
		map.put("boundPastDeadline", format(this.bound));
		map.put("shutdownGrace", format(this.shutdownGrace));
		map.put("sampleJvmOptions", this.jvmOptions);
		map.put("sampleArguments", this.appArguments);
		map.put("faults", this.faults);
		return map;
	}

	private static String bootVersion(Path lib) {
		try (var files = Files.list(lib)) {
			return files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.matches("spring-boot-actuator-autoconfigure-.*\\.jar"))
				.map((name) -> name.substring("spring-boot-actuator-autoconfigure-".length(), name.length() - 4))
				.findFirst()
				.orElse("?");
		}
		catch (java.io.IOException ex) {
			return "?";
		}
	}

	private static Path sampleJar(Path target) {
		try (var files = Files.list(target)) {
			return files.filter((file) -> file.getFileName().toString().matches("cancelscope-sample-.*\\.jar"))
				.findFirst()
				.orElse(target.resolve("cancelscope-sample.jar"));
		}
		catch (java.io.IOException ex) {
			return target.resolve("cancelscope-sample.jar");
		}
	}

	private static int positive(String name, String value) {
		try {
			int number = Integer.parseInt(value.trim());
			if (number > 0) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// below
		}
		throw new IllegalArgumentException(name + " must be a positive whole number, not '" + value + "'");
	}

	private static Duration duration(String name, String value) {
		String text = value.trim();
		try {
			if (text.endsWith("ms")) {
				return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
			}
			long number = Long.parseLong(text.substring(0, text.length() - 1));
			return switch (text.charAt(text.length() - 1)) {
				case 's' -> Duration.ofSeconds(number);
				case 'm' -> Duration.ofMinutes(number);
				case 'h' -> Duration.ofHours(number);
				default -> throw new NumberFormatException();
			};
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException(name + " must be a duration such as 30s, 10m or 500ms, not '" + value + "'");
		}
	}

	static String format(Duration duration) {
		if (duration.toMillis() % 60_000 == 0 && !duration.isZero()) {
			return duration.toMinutes() + "m";
		}
		if (duration.toMillis() % 1000 == 0) {
			return duration.toSeconds() + "s";
		}
		return duration.toMillis() + "ms";
	}

}
