package io.github.cancelscope.web.client;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A {@link DeadlineHeaderPolicy} from lists of host patterns.
 */
final class HostPatterns implements DeadlineHeaderPolicy {

	private final String[] include;

	private final String[] exclude;

	HostPatterns(List<String> include, List<String> exclude) {
		this.include = normalized(include);
		this.exclude = normalized(exclude);
	}

	private static String[] normalized(List<String> patterns) {
		String[] normalized = new String[patterns.size()];
		for (int i = 0; i < normalized.length; i++) {
			String pattern = patterns.get(i).trim().toLowerCase(Locale.ROOT);
			int star = pattern.lastIndexOf('*');
			if (pattern.isEmpty() || pattern.equals("*.") || (star >= 0 && (star > 0 || !pattern.startsWith("*.")))) {
				throw new IllegalArgumentException("Invalid host pattern '" + patterns.get(i)
						+ "': expected a host name or '*.' and a domain");
			}
			// "*.example.com" is kept as ".example.com", a suffix
			normalized[i] = (star == 0) ? pattern.substring(1) : pattern;
		}
		return normalized;
	}

	@Override
	public boolean sendsDeadlineTo(URI uri) {
		String host = host(uri);
		if (this.include.length > 0 && (host == null || !matchesAny(this.include, host))) {
			return false;
		}
		return host == null || !matchesAny(this.exclude, host);
	}

	private static @Nullable String host(URI uri) {
		String host = uri.getHost();
		if (host == null) {
			return null;
		}
		host = host.toLowerCase(Locale.ROOT);
		// a fully qualified name's trailing dot names the same host
		return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
	}

	private static boolean matchesAny(String[] patterns, String host) {
		for (String pattern : patterns) {
			if ((pattern.charAt(0) == '.') ? host.endsWith(pattern) : host.equals(pattern)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return "HostPatterns[include=" + String.join(",", this.include) + ", exclude="
				+ String.join(",", this.exclude) + "]";
	}

}
