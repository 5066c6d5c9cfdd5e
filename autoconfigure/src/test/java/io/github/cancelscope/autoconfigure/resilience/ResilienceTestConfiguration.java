package io.github.cancelscope.autoconfigure.resilience;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.resilience.annotation.ConcurrencyLimit;
import org.springframework.resilience.annotation.EnableResilientMethods;
import org.springframework.resilience.annotation.Retryable;

/**
 * Beans whose methods Spring's real retry and concurrency-limit proxies advise.
 */
@Configuration(proxyBeanMethods = false)
@EnableResilientMethods
class ResilienceTestConfiguration {

	@Bean
	Flaky flaky() {
		return new Flaky();
	}

	@Bean
	Limited limited() {
		return new Limited();
	}

	/**
	 * Methods that always fail, counting their attempts.
	 */
	static class Flaky {

		private final AtomicInteger attempts = new AtomicInteger();

		private final CountDownLatch release = new CountDownLatch(1);

		private final AtomicBoolean attemptInterrupted = new AtomicBoolean();

		// the bean is a class-based proxy: tests reach its state through methods, not fields

		public int attempts() {
			return this.attempts.get();
		}

		/** Lets a held attempt fail. */
		public void release() {
			this.release.countDown();
		}

		public boolean attemptInterrupted() {
			return this.attemptInterrupted.get();
		}

		/** Fails, then waits 30 s before the next attempt. */
		@Retryable(maxRetries = 100, delay = 30_000)
		public String longBackOff() {
			throw new IllegalStateException("attempt " + this.attempts.incrementAndGet());
		}

		/** Fails, and waits 10 ms before the next attempt, three times. */
		@Retryable(maxRetries = 3, delay = 10)
		public String shortBackOff() {
			throw new IllegalStateException("attempt " + this.attempts.incrementAndGet());
		}

		/** Fails after the test opens {@link #release}, noting whether it was interrupted meanwhile. */
		@Retryable(maxRetries = 100, delay = 10)
		public String heldAttempt() throws InterruptedException {
			int attempt = this.attempts.incrementAndGet();
			try {
				if (!this.release.await(20, TimeUnit.SECONDS)) {
					throw new IllegalStateException("never released");
				}
			}
			catch (InterruptedException ex) {
				this.attemptInterrupted.set(true);
				throw ex;
			}
			throw new IllegalStateException("attempt " + attempt);
		}

	}

	/**
	 * A method that at most two threads run at once, each until the test opens the gate.
	 */
	static class Limited {

		private final AtomicInteger inside = new AtomicInteger();

		private final AtomicInteger mostInside = new AtomicInteger();

		private final AtomicInteger entries = new AtomicInteger();

		private volatile CountDownLatch gate = new CountDownLatch(1);

		public int inside() {
			return this.inside.get();
		}

		public int mostInside() {
			return this.mostInside.get();
		}

		public int entries() {
			return this.entries.get();
		}

		public void openGate() {
			this.gate.countDown();
		}

		/** Closes the gate again, for the threads that enter from now on. */
		public void closeGate() {
			this.gate = new CountDownLatch(1);
		}

		@ConcurrencyLimit(2)
		public String hold() throws InterruptedException {
			int now = this.inside.incrementAndGet();
			this.mostInside.accumulateAndGet(now, Math::max);
			this.entries.incrementAndGet();
			try {
				if (!this.gate.await(30, TimeUnit.SECONDS)) {
					throw new IllegalStateException("gate never opened");
				}
				return "held";
			}
			finally {
				this.inside.decrementAndGet();
			}
		}

	}

}
