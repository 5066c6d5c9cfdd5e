package io.github.cancelscope.web.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

import io.github.cancelscope.RequestScope;
import io.github.cancelscope.web.DeadlineHeader;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * The deadline headers an outbound call sends: which {@linkplain DeadlineHeader formats}, under
 * which name the timeout header goes, and which calls get them ({@link DeadlineHeaderPolicy}). One
 * rule for every client the starter binds to a scope. Immutable.
 */
public final class OutboundDeadlineHeaders {

	private final @Nullable String timeoutHeader;

	private final Set<DeadlineHeader> formats;

	private final DeadlineHeaderPolicy policy;

	// what to send, resolved once
	private final DeadlineHeader[] sent;

	private final String[] sentNames;

	private OutboundDeadlineHeaders(@Nullable String timeoutHeader, Set<DeadlineHeader> formats,
			DeadlineHeaderPolicy policy) {
		this.timeoutHeader = StringUtils.hasText(timeoutHeader) ? timeoutHeader : null;
		this.formats = formats;
		this.policy = policy;
		List<DeadlineHeader> sent = new ArrayList<>();
		List<String> names = new ArrayList<>();
		for (DeadlineHeader header : formats) {
			if (header != DeadlineHeader.TIMEOUT_HEADER || this.timeoutHeader != null) {
				sent.add(header);
				names.add(header.headerName((this.timeoutHeader != null) ? this.timeoutHeader : ""));
			}
		}
		this.sent = sent.toArray(new DeadlineHeader[0]);
		this.sentNames = names.toArray(new String[0]);
	}

	/**
	 * Returns headers that send the remaining time in the given timeout header only, on every call.
	 * @param timeoutHeader the header, or {@code null} or empty to send none
	 * @return the headers
	 */
	public static OutboundDeadlineHeaders timeoutHeader(@Nullable String timeoutHeader) {
		return new OutboundDeadlineHeaders(timeoutHeader, EnumSet.of(DeadlineHeader.TIMEOUT_HEADER),
				DeadlineHeaderPolicy.ALL_HOSTS);
	}

	/**
	 * Returns headers like these in the given formats. {@link DeadlineHeader#TIMEOUT_HEADER} is the
	 * timeout header, and sends nothing if there is none.
	 * @param formats the formats, or none to send no deadline
	 * @return the new headers
	 */
	public OutboundDeadlineHeaders withFormats(Collection<DeadlineHeader> formats) {
		EnumSet<DeadlineHeader> copy = EnumSet.noneOf(DeadlineHeader.class);
		copy.addAll(formats);
		return new OutboundDeadlineHeaders(this.timeoutHeader, copy, this.policy);
	}

	/**
	 * Returns headers like these, sent only on calls that the given policy allows.
	 * @param policy the policy
	 * @return the new headers
	 */
	public OutboundDeadlineHeaders withPolicy(DeadlineHeaderPolicy policy) {
		return new OutboundDeadlineHeaders(this.timeoutHeader, this.formats, policy);
	}

	/**
	 * Hands the headers for a call to {@code uri} made in {@code scope} to {@code header}: the
	 * scope's remaining time, as it is and rounded down, in each format; nothing when the scope has
	 * no deadline or the policy refuses the URI.
	 * @param scope the scope the call is made in
	 * @param uri the URI of the call
	 * @param header receives each header's name and value
	 */
	public void write(RequestScope scope, URI uri, BiConsumer<String, String> header) {
		if (this.sent.length == 0) {
			return;
		}
		Optional<Duration> remaining = scope.remaining();
		if (remaining.isPresent() && this.policy.sendsDeadlineTo(uri)) {
			for (int i = 0; i < this.sent.length; i++) {
				header.accept(this.sentNames[i], this.sent[i].format(remaining.get()));
			}
		}
	}

	/**
	 * Says whether {@link #write} can ever send a header.
	 * @return whether there is a format to send
	 */
	public boolean sendsAny() {
		return this.sent.length > 0;
	}

}
