package io.github.cancelscope.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Reproduces the failure modes cancelscope exists for. Run it with
 * {@code --cancelscope.enabled=false} to watch them happen.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		// H2, the embedded default, runs a query busy on the calling thread, and a virtual thread
		// that is busy never yields its carrier: two slow H2 queries in forks would hold both
		// carriers of a two-core machine and starve the fork that fails. Databases on a server wait
		// on a socket instead and need no such setting.
		if (System.getProperty("jdk.virtualThreadScheduler.parallelism") == null) {
			System.setProperty("jdk.virtualThreadScheduler.parallelism",
					Integer.toString(Math.max(8, Runtime.getRuntime().availableProcessors())));
		}
		SpringApplication.run(SampleApplication.class, args);
	}

}
