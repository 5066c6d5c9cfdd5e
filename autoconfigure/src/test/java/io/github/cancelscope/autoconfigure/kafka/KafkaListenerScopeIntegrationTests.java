package io.github.cancelscope.autoconfigure.kafka;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.cancelscope.CancellableScope;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.Scoped;
import io.github.cancelscope.autoconfigure.EmbeddedPostgresServer;
import io.github.cancelscope.autoconfigure.PostgresActivity;
import io.github.cancelscope.autoconfigure.actuate.CancelScopeEndpoint;
import io.github.cancelscope.autoconfigure.actuate.CancelScopeEndpoint.InFlightScopeDescriptor;
import io.github.cancelscope.autoconfigure.kafka.Deliveries.Arrival;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.util.backoff.FixedBackOff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Kafka listeners against a real broker (spring-kafka-test's in-process KRaft broker) and a
 * real PostgreSQL: each record, or batch, is processed in a scope of kind {@code kafka}; stopping
 * the container, or shutting the application down, cancels it after the grace, its query stops on
 * the server, and it is delivered again rather than committed or recovered; a record past its
 * deadline fails like any other and goes to the error handler. The error handler of these
 * applications recovers a record at its first failure, so a cancelled record that reached it would
 * be skipped and committed at once.
 */
class KafkaListenerScopeIntegrationTests {

	private static final Duration GRACE = Duration.ofMillis(200);

	private static final int STOP_PARTITIONS = 3;

	private static final Duration GROUP_SETTLING = Duration.ofMinutes(2);

	private static EmbeddedKafkaKraftBroker broker;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, 1, "deadline", "scoped", "batch");
		broker.afterPropertiesSet();
		broker.addTopics(new NewTopic("stop", STOP_PARTITIONS, (short) 1));
	}

	@AfterAll
	static void stopBroker() {
		if (broker != null) {
			broker.destroy();
		}
	}

	@Test
	void stoppingTheContainerCancelsItsRecordsAfterTheGraceAndStartingItAgainDeliversThemAgain() throws Exception {
		Deliveries deliveries = new Deliveries();
		try (ConfigurableApplicationContext context = run(deliveries, "kafka-stop", StopListener.class,
				"--cancelscope.kafka.timeout=20s")) {
			MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainer("stoppable");
			// a consumer blocked in a record can't give partitions up: let the group settle first.
			// Settling is the broker's business and took over 30 s once on a loaded CI machine
			await("each of the three consumers assigned one partition").atMost(GROUP_SETTLING)
				.untilAsserted(() -> assertThat(assignments(container)).as("each consumer's partitions")
					.hasSize(STOP_PARTITIONS)
					.allSatisfy((partitions) -> assertThat(partitions).hasSize(1)));
			Instant sent = Instant.now();
			// one record on each of the three partitions, each processed by its own consumer
			for (int partition = 0; partition < STOP_PARTITIONS; partition++) {
				sendTo(context, "stop", partition, "order-" + partition);
			}
			Arrival first = deliveries.awaitArrival("order-0", 1);
			for (int partition = 1; partition < STOP_PARTITIONS; partition++) {
				deliveries.awaitArrival("order-" + partition, 1);
			}
			PostgresActivity.awaitRunning("kafka-stop", STOP_PARTITIONS);
			assertThat(first.kind()).isEqualTo("kafka");
			assertThat(first.name()).isEqualTo("stoppable");
			assertThat(first.description()).isEqualTo("stop-0@0");
			assertThat(first.childOfApplication()).as("a child of the application scope").isTrue();
			assertThat(first.deadline()).as("the deadline of cancelscope.kafka.timeout")
				.isAfter(sent.plusSeconds(10))
				.isBefore(Instant.now().plusSeconds(21));

			List<InFlightScopeDescriptor> inFlight = context.getBean(CancelScopeEndpoint.class).scopes().scopes();
			assertThat(inFlight).as("the actuator's scopes in flight").anySatisfy((scope) -> {
				assertThat(scope.kind()).isEqualTo("kafka");
				assertThat(scope.path()).isEqualTo("stop-0@0");
				assertThat(scope.scope().name()).isEqualTo("stoppable");
				assertThat(scope.scope().calls()).containsKey("jdbc");
			});
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("cancelscope.scopes.active").tag("kind", "kafka").gauge().value())
				.isEqualTo(STOP_PARTITIONS);

			long stopping = System.nanoTime();
			Thread stopper = new Thread(container::stop, "test-container-stop");
			stopper.start();
			PostgresActivity.awaitNothingRunning("kafka-stop", context.getBean(DataSource.class));
			long queryGone = System.nanoTime();
			stopper.join(Deliveries.PATIENCE.toMillis());
			assertThat(stopper.isAlive()).as("the container stopped").isFalse();
			long stopped = System.nanoTime();
			for (int partition = 0; partition < STOP_PARTITIONS; partition++) {
				assertThat(deliveries.awaitArrival("order-" + partition, 1).awaitEnd()).isEqualTo("SHUTDOWN");
			}
			report("container stop -> every query gone on the server", stopping, queryGone);
			report("container stop -> stop() returned", stopping, stopped);
			assertThat(Duration.ofNanos(queryGone - stopping)).as("the records had the grace").isGreaterThanOrEqualTo(GRACE);
			assertThat(deliveries.recovered()).as("records the error handler recovered").isEmpty();
			assertThat(deliveries.completed()).isEmpty();
			for (int partition = 0; partition < STOP_PARTITIONS; partition++) {
				assertThat(committedOffset("stoppable", "stop", partition))
					.as("offset committed for the cancelled record on partition %d", partition)
					.isNull();
			}

			container.start();
			for (int partition = 0; partition < STOP_PARTITIONS; partition++) {
				String value = "order-" + partition;
				Arrival again = deliveries.awaitArrival(value, 2);
				deliveries.awaitCompleted(value);
				assertThat(again.awaitEnd()).isEqualTo("NONE");
				int committedPartition = partition;
				await("the offset after %s committed".formatted(value)).atMost(Deliveries.PATIENCE)
					.until(() -> Long.valueOf(1).equals(committedOffset("stoppable", "stop", committedPartition)));
				assertThat(deliveries.count(value)).isEqualTo(2);
			}
			assertThat(deliveries.recovered()).isEmpty();

			// the observer hears that a scope closed after its cleanups ran
			await("kafka scopes counted by outcome and reason").atMost(Deliveries.PATIENCE)
				.until(() -> ended(meters, "cancelled", "SHUTDOWN") == STOP_PARTITIONS
						&& ended(meters, "completed", "none") == STOP_PARTITIONS);
			assertThat(meters.find("cancelscope.scope").tag("cancelscope.kind", "kafka").timers())
				.as("the observations' timers of kind kafka").isNotEmpty();
		}
	}

	@Test
	void aRecordPastItsDeadlineFailsLikeAnyOtherAndItsErrorHandlerRecoversIt() throws Exception {
		Deliveries deliveries = new Deliveries();
		try (ConfigurableApplicationContext context = run(deliveries, "kafka-deadline", DeadlineListeners.class,
				"--cancelscope.kafka.timeout=1s")) {
			send(context, "deadline", "late-1");
			Arrival late = deliveries.awaitArrival("late-1", 1);
			deliveries.awaitRecovered("late-1");
			assertThat(late.kind()).isEqualTo("kafka");
			assertThat(late.awaitEnd()).isEqualTo("DEADLINE_EXCEEDED");
			assertThat(sqlStateIn(recovered(deliveries, "late-1"))).as("the query cancelled on the server")
				.isEqualTo("57014");
			PostgresActivity.awaitNothingRunning("kafka-deadline", context.getBean(DataSource.class));
			await("the offset of the recovered record committed").atMost(Deliveries.PATIENCE)
				.until(() -> Long.valueOf(1).equals(committedOffset("deadline", "deadline")));

			send(context, "scoped", "scoped-1");
			Arrival scoped = deliveries.awaitArrival("scoped-1", 1);
			deliveries.awaitRecovered("scoped-1");
			assertThat(scoped.kind()).as("the @Scoped method's scope, inside the record's").isEqualTo("method");
			assertThat(scoped.awaitEnd()).isEqualTo("DEADLINE_EXCEEDED");
			assertThat(sqlStateIn(recovered(deliveries, "scoped-1"))).isEqualTo("57014");
			assertThat(deliveries.completed()).isEmpty();
		}
	}

	@Test
	void shutdownCancelsTheBatchInFlightAfterTheGraceAndTheNextRunGetsItAgain() throws Exception {
		Deliveries deliveries = new Deliveries();
		ConfigurableApplicationContext first = run(deliveries, "kafka-shutdown", BatchListener.class);
		long closing;
		long queryGone;
		try {
			send(first, "batch", "b-1", "b-2", "b-3");
			Arrival batch = deliveries.awaitArrival("batch-1", 1);
			PostgresActivity.awaitRunning("kafka-shutdown", 1);
			assertThat(batch.kind()).isEqualTo("kafka");
			assertThat(batch.name()).isEqualTo("batches");
			assertThat(batch.description()).startsWith("batch of ");
			closing = System.nanoTime();
			Thread closer = new Thread(first::close, "test-context-close");
			closer.start();
			await("no query of kafka-shutdown running on the server").atMost(Deliveries.PATIENCE)
				.pollInterval(Duration.ofMillis(5))
				.until(() -> EmbeddedPostgresServer.activeQueries("kafka-shutdown").isEmpty());
			queryGone = System.nanoTime();
			closer.join(Deliveries.PATIENCE.toMillis());
			assertThat(closer.isAlive()).as("the application closed").isFalse();
			report("context close -> query gone on the server", closing, queryGone);
			report("context close -> closed", closing, System.nanoTime());
			assertThat(batch.awaitEnd()).isEqualTo("SHUTDOWN");
		}
		finally {
			first.close();
		}
		assertThat(deliveries.recovered()).isEmpty();
		assertThat(committedOffset("batches", "batch")).as("offset committed for the cancelled batch").isNull();

		try (ConfigurableApplicationContext second = run(deliveries, "kafka-shutdown", BatchListener.class)) {
			for (String value : List.of("b-1", "b-2", "b-3")) {
				deliveries.awaitCompleted(value);
			}
			assertThat(deliveries.seenCount("b-1")).as("deliveries of the first record of the cancelled batch")
				.isEqualTo(2);
			assertThat(deliveries.recovered()).isEmpty();
			await("every offset committed").atMost(Deliveries.PATIENCE)
				.until(() -> Long.valueOf(3).equals(committedOffset("batches", "batch")));
		}
	}

	private static ConfigurableApplicationContext run(Deliveries deliveries, String application, Class<?> listeners,
			String... arguments) {
		String[] common = { "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
				"--spring.kafka.consumer.auto-offset-reset=earliest",
				"--spring.datasource.url=" + EmbeddedPostgresServer.jdbcUrl(),
				"--spring.datasource.username=postgres",
				"--spring.datasource.hikari.data-source-properties.ApplicationName=" + application,
				"--cancelscope.shutdown.grace=" + GRACE.toMillis() + "ms",
				"--management.endpoints.web.exposure.include=cancelscope",
				// JPA is on the test classpath, and slow to start for nothing here
				"--spring.autoconfigure.exclude=org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
						+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration" };
		String[] all = new String[common.length + arguments.length];
		System.arraycopy(common, 0, all, 0, common.length);
		System.arraycopy(arguments, 0, all, common.length, arguments.length);
		return new SpringApplicationBuilder(KafkaTestApplication.class, listeners).web(WebApplicationType.NONE)
			.initializers((context) -> context.getBeanFactory().registerSingleton("deliveries", deliveries))
			.run(all);
	}

	private static void send(ConfigurableApplicationContext context, String topic, String... values) throws Exception {
		@SuppressWarnings("unchecked")
		KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
		for (String value : values) {
			template.send(topic, value).get(30, TimeUnit.SECONDS);
		}
	}

	private static void sendTo(ConfigurableApplicationContext context, String topic, int partition, String value)
			throws Exception {
		@SuppressWarnings("unchecked")
		KafkaTemplate<Object, Object> template = context.getBean(KafkaTemplate.class);
		template.send(topic, partition, null, value).get(30, TimeUnit.SECONDS);
	}

	private static List<List<String>> assignments(MessageListenerContainer container) {
		return ((ConcurrentMessageListenerContainer<?, ?>) container).getContainers()
			.stream()
			.map((consumer) -> (consumer.getAssignedPartitions() != null)
					? consumer.getAssignedPartitions().stream().map(TopicPartition::toString).sorted().toList()
					: List.<String>of())
			.toList();
	}

	private static Long committedOffset(String group, String topic) {
		return committedOffset(group, topic, 0);
	}

	private static Long committedOffset(String group, String topic, int partition) {
		return broker.doWithAdminFunction((admin) -> {
			try {
				Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
					.partitionsToOffsetAndMetadata()
					.get(30, TimeUnit.SECONDS);
				OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, partition));
				return (offset != null) ? offset.offset() : null;
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	private static double ended(MeterRegistry meters, String outcome, String reason) {
		Counter counter = meters.find("cancelscope.scopes.ended")
			.tags("kind", "kafka", "outcome", outcome, "reason", reason)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static Exception recovered(Deliveries deliveries, String value) {
		return deliveries.recovered()
			.stream()
			.filter((recovered) -> recovered.value().equals(value))
			.findFirst()
			.orElseThrow()
			.failure();
	}

	private static String sqlStateIn(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql) {
				return sql.getSQLState();
			}
		}
		throw new AssertionError("no SQLException in " + failure, failure);
	}

	private static void report(String what, long from, long to) {
		System.out.println("[kafka timing] " + what + ": " + Duration.ofNanos(to - from).toMillis() + " ms (grace "
				+ GRACE.toMillis() + " ms)");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class KafkaTestApplication {

		// recovers (skips and commits) a record at its first failure
		@Bean
		DefaultErrorHandler kafkaErrorHandler(Deliveries deliveries) {
			return new DefaultErrorHandler(deliveries::recovered, new FixedBackOff(0, 0));
		}

	}

	/**
	 * What every listener of these tests records its deliveries in, and queries with.
	 */
	abstract static class Listener {

		final Deliveries deliveries;

		final JdbcTemplate jdbc;

		final CancellableScope application;

		Listener(Deliveries deliveries, JdbcTemplate jdbc, CancellableScope application) {
			this.deliveries = deliveries;
			this.jdbc = jdbc;
			this.application = application;
		}

		/** A query that only a cancel on the server ends. */
		void sleepOnPostgres() {
			this.jdbc.queryForObject("SELECT 1 FROM pg_sleep(30)", Integer.class);
		}

	}

	static class StopListener extends Listener {

		StopListener(Deliveries deliveries, JdbcTemplate jdbc, CancellableScope application) {
			super(deliveries, jdbc, application);
		}

		@KafkaListener(id = "stoppable", topics = "stop", concurrency = "3")
		void onRecord(String value) {
			if (this.deliveries.arrived(value, this.application) == 1) {
				sleepOnPostgres();
			}
			this.deliveries.completed(value);
		}

	}

	static class DeadlineListeners extends Listener {

		DeadlineListeners(Deliveries deliveries, JdbcTemplate jdbc, CancellableScope application) {
			super(deliveries, jdbc, application);
		}

		@KafkaListener(id = "deadline", topics = "deadline")
		void onRecord(String value) {
			this.deliveries.arrived(value, this.application);
			sleepOnPostgres();
			this.deliveries.completed(value);
		}

		@KafkaListener(id = "scoped", topics = "scoped")
		@Scoped(timeout = "300ms")
		void onScopedRecord(String value) {
			this.deliveries.arrived(value, this.application);
			sleepOnPostgres();
			this.deliveries.completed(value);
		}

	}

	static class BatchListener extends Listener {

		BatchListener(Deliveries deliveries, JdbcTemplate jdbc, CancellableScope application) {
			super(deliveries, jdbc, application);
		}

		@KafkaListener(id = "batches", topics = "batch", batch = "true")
		void onBatch(List<String> values) {
			int batch = this.deliveries.nextBatch();
			this.deliveries.arrived("batch-" + batch, this.application);
			values.forEach(this.deliveries::seen);
			if (batch == 1) {
				sleepOnPostgres();
			}
			values.forEach(this.deliveries::completed);
		}

	}

}
