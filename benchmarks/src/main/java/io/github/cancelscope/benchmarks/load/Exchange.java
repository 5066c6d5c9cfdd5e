package io.github.cancelscope.benchmarks.load;

/**
 * One request of the load and how it ended, times in nanoseconds since the phase began.
 *
 * @param endpoint where it went
 * @param start when it was sent (open loop: when it was due)
 * @param end when its response arrived or the client gave up
 * @param outcome how it ended
 */
record Exchange(Endpoint endpoint, long start, long end, Outcome outcome) {

	double latencyMillis() {
		return (this.end - this.start) / 1e6;
	}

	/**
	 * The sample's two endpoints under load.
	 */
	enum Endpoint {

		/** {@code GET /healthy}: one short query. */
		HEALTHY,

		/** {@code GET /zombie}: two slow queries and a call that fails. */
		ZOMBIE

	}

	/**
	 * How a request ended, as the client saw it.
	 */
	enum Outcome {

		/** 200. */
		OK("ok"),

		/** 500 from {@code /zombie}: the shipping call failed, as designed. */
		EXPECTED_FAILURE("expected 500 (zombie)"),

		/** 500 from {@code /healthy}: no pool connection within the pool timeout. */
		POOL_TIMEOUT("pool timeout (500)"),

		/** 504: the request's cancelscope deadline passed. */
		DEADLINE_EXCEEDED("deadline (504)"),

		/** 503: cancelled by shutdown, or refused while shutting down. */
		UNAVAILABLE("unavailable (503)"),

		/** Any other 5xx. */
		OTHER_5XX("other 5xx"),

		/** A status below 500 other than 200. */
		OTHER_STATUS("other status"),

		/** The client timeout passed before the response. */
		CLIENT_TIMEOUT("client timeout"),

		/** The connection could not be made or broke. */
		CONNECTION_FAILED("connection failed"),

		/** Open loop: the request was due while the most requests allowed in flight were waiting. */
		NOT_SENT("not sent (clients busy)");

		private final String label;

		Outcome(String label) {
			this.label = label;
		}

		String label() {
			return this.label;
		}

		static Outcome of(Endpoint endpoint, int status) {
			return switch (status) {
				case 200 -> OK;
				case 500 -> (endpoint == Endpoint.ZOMBIE) ? EXPECTED_FAILURE : POOL_TIMEOUT;
				case 503 -> UNAVAILABLE;
				case 504 -> DEADLINE_EXCEEDED;
				default -> (status >= 500) ? OTHER_5XX : OTHER_STATUS;
			};
		}

		boolean isError() {
			return this != OK && this != EXPECTED_FAILURE;
		}

	}

}
