package io.github.cancelscope.autoconfigure.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ListenerUtils;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * A container's error handler, decorated so that records whose processing was cancelled because
 * the container stopped or the application shut down ({@link RecordCancelledException}) are left
 * for redelivery: the consumer is sent back to them, nothing is committed, and the delegate (which
 * would count a delivery attempt and, after its last, recover the record: skip it, or publish it to
 * a dead-letter topic, and commit it) never sees them. Every other failure, a passed deadline
 * among them, goes to the delegate unchanged.
 */
final class CancelledRecordErrorHandler implements CommonErrorHandler {

	private static final long REDELIVERY_PAUSE_MILLIS = 100;

	private final CommonErrorHandler delegate;

	CancelledRecordErrorHandler(CommonErrorHandler delegate) {
		this.delegate = delegate;
	}

	CommonErrorHandler delegate() {
		return this.delegate;
	}

	@Override
	public boolean handleOne(Exception thrownException, ConsumerRecord<?, ?> record, Consumer<?, ?> consumer,
			MessageListenerContainer container) {
		if (RecordCancelledException.findIn(thrownException) != null) {
			// not handled: the container keeps the record, and those after it, as remaining records
			return false;
		}
		return this.delegate.handleOne(thrownException, record, consumer, container);
	}

	@Override
	public void handleRemaining(Exception thrownException, List<ConsumerRecord<?, ?>> records, Consumer<?, ?> consumer,
			MessageListenerContainer container) {
		RecordCancelledException cancelled = RecordCancelledException.findIn(thrownException);
		if (cancelled == null) {
			this.delegate.handleRemaining(thrownException, records, consumer, container);
			return;
		}
		leaveForRedelivery(records, consumer, container, cancelled);
	}

	@Override
	public void handleBatch(Exception thrownException, ConsumerRecords<?, ?> data, Consumer<?, ?> consumer,
			MessageListenerContainer container, Runnable invokeListener) {
		RecordCancelledException cancelled = RecordCancelledException.findIn(thrownException);
		if (cancelled == null) {
			this.delegate.handleBatch(thrownException, data, consumer, container, invokeListener);
			return;
		}
		List<ConsumerRecord<?, ?>> records = new ArrayList<>(data.count());
		data.forEach(records::add);
		leaveForRedelivery(records, consumer, container, cancelled);
	}

	@Override
	public <K, V> ConsumerRecords<K, V> handleBatchAndReturnRemaining(Exception thrownException,
			ConsumerRecords<?, ?> data, Consumer<?, ?> consumer, MessageListenerContainer container,
			Runnable invokeListener) {
		if (RecordCancelledException.findIn(thrownException) != null) {
			@SuppressWarnings("unchecked")
			ConsumerRecords<K, V> remaining = (ConsumerRecords<K, V>) data;
			return remaining;
		}
		return this.delegate.handleBatchAndReturnRemaining(thrownException, data, consumer, container, invokeListener);
	}

	/**
	 * Sends the consumer back to the first of {@code records} on each partition and throws, so
	 * that the container commits none of them.
	 */
	private void leaveForRedelivery(List<ConsumerRecord<?, ?>> records, Consumer<?, ?> consumer,
			MessageListenerContainer container, RecordCancelledException cancelled) {
		Map<TopicPartition, Long> first = new LinkedHashMap<>();
		for (ConsumerRecord<?, ?> record : records) {
			first.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
		}
		first.forEach(consumer::seek);
		if (container.isRunning()) {
			// cancelled by shutdown before the container was stopped: it will be, so don't spin
			try {
				ListenerUtils.stoppableSleep(container, REDELIVERY_PAUSE_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		// the container logs a KafkaException at its level (the stop watch has logged the cancel at
		// INFO already) and commits nothing of what failed
		throw new KafkaException(cancelled.getMessage() + "; sought back to " + first, KafkaException.Level.DEBUG,
				cancelled);
	}

	@Override
	public boolean seeksAfterHandling() {
		return this.delegate.seeksAfterHandling();
	}

	@Override
	public boolean deliveryAttemptHeader() {
		return this.delegate.deliveryAttemptHeader();
	}

	@Override
	public int deliveryAttempt(TopicPartitionOffset topicPartitionOffset) {
		return this.delegate.deliveryAttempt(topicPartitionOffset);
	}

	@Override
	public void handleOtherException(Exception thrownException, Consumer<?, ?> consumer,
			MessageListenerContainer container, boolean batchListener) {
		this.delegate.handleOtherException(thrownException, consumer, container, batchListener);
	}

	@Override
	public LogAccessor logger() {
		return this.delegate.logger();
	}

	@Override
	public void clearThreadState() {
		this.delegate.clearThreadState();
	}

	@Override
	public boolean isAckAfterHandle() {
		return this.delegate.isAckAfterHandle();
	}

	@Override
	public void setAckAfterHandle(boolean ack) {
		this.delegate.setAckAfterHandle(ack);
	}

	@Override
	public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions,
			Runnable publishPause) {
		this.delegate.onPartitionsAssigned(consumer, partitions, publishPause);
	}

	@Override
	public String toString() {
		return "CancelledRecordErrorHandler[" + this.delegate + "]";
	}

}
