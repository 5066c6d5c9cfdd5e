package io.github.cancelscope.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.cancelscope.web.DeadlineHeader;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.logging.LogLevel;

/**
 * Configuration properties for cancelscope.
 */
@ConfigurationProperties("cancelscope")
public class CancelScopeProperties {

	/**
	 * Whether to give requests and @Scoped methods cancellation scopes. When false, the
	 * application behaves exactly as without the starter.
	 */
	private boolean enabled = true;

	/**
	 * How long closing a scope waits for its forked tasks before it logs the stragglers with their
	 * stack traces and runs the cleanups anyway.
	 */
	private Duration closeTimeout = Duration.ofSeconds(10);

	private final Request request = new Request();

	private final Fork fork = new Fork();

	private final Shutdown shutdown = new Shutdown();

	private final Jdbc jdbc = new Jdbc();

	private final HttpClient httpClient = new HttpClient();

	private final Log log = new Log();

	private final Async async = new Async();

	private final Retry retry = new Retry();

	private final Scheduling scheduling = new Scheduling();

	private final Kafka kafka = new Kafka();

	private final Escaped escaped = new Escaped();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getCloseTimeout() {
		return this.closeTimeout;
	}

	public void setCloseTimeout(Duration closeTimeout) {
		this.closeTimeout = closeTimeout;
	}

	public Request getRequest() {
		return this.request;
	}

	public Fork getFork() {
		return this.fork;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Jdbc getJdbc() {
		return this.jdbc;
	}

	public HttpClient getHttpClient() {
		return this.httpClient;
	}

	public Log getLog() {
		return this.log;
	}

	public Async getAsync() {
		return this.async;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public Scheduling getScheduling() {
		return this.scheduling;
	}

	public Kafka getKafka() {
		return this.kafka;
	}

	public Escaped getEscaped() {
		return this.escaped;
	}

	/**
	 * Request scope properties.
	 */
	public static class Request {

		/**
		 * Default deadline of a request scope, counted from the moment the request enters the
		 * filter. No deadline when unset.
		 */
		private @Nullable Duration timeout;

		/**
		 * Upper bound for any request deadline, whether it comes from the default timeout or from
		 * a caller's timeout header.
		 */
		private @Nullable Duration maxTimeout;

		/**
		 * Header that carries the caller's remaining time in milliseconds, read on inbound requests
		 * (it can only shorten the deadline) and written on outbound calls. Empty to ignore it.
		 */
		private String timeoutHeader = "X-Request-Timeout-Ms";

		private final Disconnect disconnect = new Disconnect();

		private final DeadlineHeaders deadlineHeaders = new DeadlineHeaders();

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(@Nullable Duration timeout) {
			this.timeout = timeout;
		}

		public @Nullable Duration getMaxTimeout() {
			return this.maxTimeout;
		}

		public void setMaxTimeout(@Nullable Duration maxTimeout) {
			this.maxTimeout = maxTimeout;
		}

		public String getTimeoutHeader() {
			return this.timeoutHeader;
		}

		public void setTimeoutHeader(String timeoutHeader) {
			this.timeoutHeader = timeoutHeader;
		}

		public Disconnect getDisconnect() {
			return this.disconnect;
		}

		public DeadlineHeaders getDeadlineHeaders() {
			return this.deadlineHeaders;
		}

		/**
		 * Properties of the headers that carry a deadline between services.
		 */
		public static class DeadlineHeaders {

			private final Inbound inbound = new Inbound();

			private final Outbound outbound = new Outbound();

			public Inbound getInbound() {
				return this.inbound;
			}

			public Outbound getOutbound() {
				return this.outbound;
			}

			/**
			 * Deadline headers read on inbound requests.
			 */
			public static class Inbound {

				/**
				 * Deadline headers read on inbound requests; the earliest value shortens the
				 * request's deadline.
				 */
				private List<DeadlineHeader> formats = new ArrayList<>(List.of(DeadlineHeader.values()));

				public List<DeadlineHeader> getFormats() {
					return this.formats;
				}

				public void setFormats(List<DeadlineHeader> formats) {
					this.formats = formats;
				}

			}

			/**
			 * Deadline headers sent on outbound calls.
			 */
			public static class Outbound {

				/**
				 * Deadline headers that outbound calls in a scope send, each with the scope's
				 * remaining time, rounded down.
				 */
				private List<DeadlineHeader> formats = new ArrayList<>(List.of(DeadlineHeader.TIMEOUT_HEADER));

				/**
				 * Hosts that get deadline headers, exact ("api.example.com") or by domain
				 * ("*.example.com"). Every host when empty.
				 */
				private List<String> includeHosts = new ArrayList<>();

				/**
				 * Hosts that never get deadline headers, exact or by domain, even if included.
				 */
				private List<String> excludeHosts = new ArrayList<>();

				public List<DeadlineHeader> getFormats() {
					return this.formats;
				}

				public void setFormats(List<DeadlineHeader> formats) {
					this.formats = formats;
				}

				public List<String> getIncludeHosts() {
					return this.includeHosts;
				}

				public void setIncludeHosts(List<String> includeHosts) {
					this.includeHosts = includeHosts;
				}

				public List<String> getExcludeHosts() {
					return this.excludeHosts;
				}

				public void setExcludeHosts(List<String> excludeHosts) {
					this.excludeHosts = excludeHosts;
				}

			}

		}

		/**
		 * Client disconnect properties.
		 */
		public static class Disconnect {

			/**
			 * Whether a client that closes or resets its connection, or resets its HTTP/2 stream,
			 * while its request is handled cancels the request's scope with reason
			 * CLIENT_DISCONNECTED.
			 */
			private boolean enabled = true;

			/**
			 * How long a request runs before its connection is watched; also how often the watcher
			 * looks for such requests, at most every 50 ms. Requests that finish sooner cost nothing.
			 */
			private Duration grace = Duration.ofMillis(50);

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

			public Duration getGrace() {
				return this.grace;
			}

			public void setGrace(Duration grace) {
				this.grace = grace;
			}

		}

	}

	/**
	 * Properties of forked tasks.
	 */
	public static class Fork {

		/**
		 * Most forked tasks that run at once on Java 17 to 20, each on a platform thread; a fork
		 * beyond them is refused. Java 21 and later run every fork on a virtual thread instead.
		 */
		private int maxPlatformThreads = 256;

		public int getMaxPlatformThreads() {
			return this.maxPlatformThreads;
		}

		public void setMaxPlatformThreads(int maxPlatformThreads) {
			this.maxPlatformThreads = maxPlatformThreads;
		}

	}

	/**
	 * Shutdown properties.
	 */
	public static class Shutdown {

		/**
		 * How long in-flight scopes may run after shutdown begins before they are cancelled with
		 * reason SHUTDOWN.
		 */
		private Duration grace = Duration.ofSeconds(10);

		public Duration getGrace() {
			return this.grace;
		}

		public void setGrace(Duration grace) {
			this.grace = grace;
		}

	}

	/**
	 * JDBC properties.
	 */
	public static class Jdbc {

		/**
		 * Whether to decorate DataSource beans so that statements run in a scope are cancelled
		 * with it.
		 */
		private boolean enabled = true;

		/**
		 * Names of DataSource beans to leave undecorated.
		 */
		private List<String> excludedBeans = new ArrayList<>();

		/**
		 * How long a cancelled statement may take to return before its connection is aborted and
		 * evicted from the pool, as when the database is stalled or unreachable. HikariCP's
		 * validation timeout, when left at its default, is lowered to it too.
		 */
		private Duration abortAfter = Duration.ofSeconds(1);

		/**
		 * Whether statements run in a scope with a deadline also get the driver's own query
		 * timeout (the time left plus abort-after plus 1s), as a backstop behind cancelscope's
		 * cancel and abort. The scope's deadline stops them either way; this costs a driver timer
		 * per statement.
		 */
		private boolean driverQueryTimeout;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getExcludedBeans() {
			return this.excludedBeans;
		}

		public void setExcludedBeans(List<String> excludedBeans) {
			this.excludedBeans = excludedBeans;
		}

		public Duration getAbortAfter() {
			return this.abortAfter;
		}

		public void setAbortAfter(Duration abortAfter) {
			this.abortAfter = abortAfter;
		}

		public boolean isDriverQueryTimeout() {
			return this.driverQueryTimeout;
		}

		public void setDriverQueryTimeout(boolean driverQueryTimeout) {
			this.driverQueryTimeout = driverQueryTimeout;
		}

	}

	/**
	 * Outbound HTTP client properties.
	 */
	public static class HttpClient {

		/**
		 * Whether RestClient, RestTemplate and WebClient built by Spring Boot abort their calls
		 * when the calling scope is cancelled and send its remaining time downstream.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Logging properties.
	 */
	public static class Log {

		/**
		 * Level at which a cancellation is logged, once, with its reason and what it stopped.
		 */
		private LogLevel cancellationLevel = LogLevel.DEBUG;

		/**
		 * MDC key that holds the current scope's id on request threads and forked tasks. Empty to
		 * leave the MDC alone.
		 */
		private String mdcKey = "cancelscope.scope";

		public LogLevel getCancellationLevel() {
			return this.cancellationLevel;
		}

		public void setCancellationLevel(LogLevel cancellationLevel) {
			this.cancellationLevel = cancellationLevel;
		}

		public String getMdcKey() {
			return this.mdcKey;
		}

		public void setMdcKey(String mdcKey) {
			this.mdcKey = mdcKey;
		}

	}

	/**
	 * Properties of work handed to Spring's task executors from inside a scope.
	 */
	public static class Async {

		/**
		 * Whether tasks submitted to auto-configured executors from inside a scope run in a child
		 * of it, so they are cancelled with it and the scope waits for them when it ends. When
		 * false, such tasks only keep the scope's tracing and logging context, and may outlive it.
		 */
		private boolean bindToRequest;

		public boolean isBindToRequest() {
			return this.bindToRequest;
		}

		public void setBindToRequest(boolean bindToRequest) {
			this.bindToRequest = bindToRequest;
		}

	}

	/**
	 * Properties of retries inside a scope: Spring Framework's {@code @Retryable} methods and
	 * {@code RetryTemplate} beans.
	 */
	public static class Retry {

		/**
		 * Least time a scope with a deadline must have left for a retry to start. The next attempt
		 * needs at least the policy's delay before it as well. When less remains, the retries are
		 * given up and the caller gets the last failure.
		 */
		private Duration minRemaining = Duration.ZERO;

		public Duration getMinRemaining() {
			return this.minRemaining;
		}

		public void setMinRemaining(Duration minRemaining) {
			this.minRemaining = minRemaining;
		}

	}

	/**
	 * Properties of Spring Kafka listeners.
	 */
	public static class Kafka {

		/**
		 * Whether each record, or batch, that a Spring Kafka listener container hands its listener
		 * is processed in a scope of its own, cancelled when the container stops or the application
		 * shuts down (after the shutdown grace) and then left for redelivery.
		 */
		private boolean enabled = true;

		/**
		 * Deadline for processing one record, or one batch. A record that passes it fails like any
		 * other, so the container's error handler retries or recovers it. No deadline when unset.
		 */
		private @Nullable Duration timeout;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(@Nullable Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Properties of {@code @Scheduled} methods.
	 */
	public static class Scheduling {

		/**
		 * Whether each run of a @Scheduled method is a scope of its own, a child of the
		 * application scope, so that shutdown cancels a run still going after the grace.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Properties of the watch for threads that escape their unit of work.
	 */
	public static class Escaped {

		/**
		 * Whether to count, as cancelscope.escaped, and list in the cancelscope actuator endpoint
		 * the threads that a request (or other unit of work) or its forks started and that are
		 * still alive when it ends.
		 */
		private boolean enabled;

		/**
		 * How many of the most recent escaped threads the actuator endpoint lists.
		 */
		private int keep = 50;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getKeep() {
			return this.keep;
		}

		public void setKeep(int keep) {
			this.keep = keep;
		}

	}

}
