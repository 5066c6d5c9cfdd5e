package io.github.cancelscope.web.client;

import java.net.URI;
import java.util.List;

/**
 * Decides which outbound calls carry the scope's deadline headers, so that a time budget is not
 * sent to a third party by accident. A call that it refuses is still bound to the scope (checked
 * and aborted with it); it only goes without the headers.
 * <p>
 * Declare a bean of this type to replace the host lists of
 * {@code cancelscope.request.deadline-headers.outbound}:
 * {@snippet :
 * @Bean
 * DeadlineHeaderPolicy deadlineHeaderPolicy() {
 *     return (uri) -> uri.getHost() != null && uri.getHost().endsWith(".internal");
 * }
 * }
 */
@FunctionalInterface
public interface DeadlineHeaderPolicy {

	/** Sends deadline headers on every call. */
	DeadlineHeaderPolicy ALL_HOSTS = (uri) -> true;

	/**
	 * Says whether a call gets the deadline headers.
	 * @param uri the URI of the call's request
	 * @return whether to send them
	 */
	boolean sendsDeadlineTo(URI uri);

	/**
	 * Returns a policy that sends deadline headers to hosts that are included and not excluded. A
	 * pattern is a host name, matched whole and ignoring case, or {@code *.} and a domain, matching
	 * every host under the domain but not the domain itself.
	 * @param include hosts that get deadline headers, or empty for every host
	 * @param exclude hosts that never get them, even if included
	 * @return the policy
	 * @throws IllegalArgumentException if a pattern is empty or has {@code *} anywhere but at its
	 * start, followed by a dot
	 */
	static DeadlineHeaderPolicy hosts(List<String> include, List<String> exclude) {
		if (include.isEmpty() && exclude.isEmpty()) {
			return ALL_HOSTS;
		}
		return new HostPatterns(include, exclude);
	}

}
