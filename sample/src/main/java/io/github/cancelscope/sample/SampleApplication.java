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
		SpringApplication.run(SampleApplication.class, args);
	}

}
