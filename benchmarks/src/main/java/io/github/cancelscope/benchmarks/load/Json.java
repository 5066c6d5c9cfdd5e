package io.github.cancelscope.benchmarks.load;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Writes maps, lists, strings, numbers and booleans as JSON; lists of scalars stay on one line so
 * the time series remain readable.
 */
public final class Json {

	private Json() {
	}

	public static String write(@Nullable Object value) {
		StringBuilder json = new StringBuilder();
		write(json, value, "");
		return json.append('\n').toString();
	}

	private static void write(StringBuilder json, @Nullable Object value, String indent) {
		if (value instanceof Map<?, ?> map) {
			json.append('{');
			String inner = indent + "  ";
			boolean first = true;
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				json.append(first ? "\n" : ",\n").append(inner);
				string(json, String.valueOf(entry.getKey()));
				json.append(": ");
				write(json, entry.getValue(), inner);
				first = false;
			}
			json.append(first ? "}" : "\n" + indent + "}");
		}
		else if (value instanceof List<?> list) {
			boolean flat = list.stream().noneMatch((element) -> element instanceof Map || element instanceof List);
			json.append('[');
			String inner = indent + "  ";
			for (int i = 0; i < list.size(); i++) {
				if (i > 0) {
					json.append(',');
				}
				if (!flat) {
					json.append('\n').append(inner);
				}
				write(json, list.get(i), inner);
			}
			json.append((flat || list.isEmpty()) ? "]" : "\n" + indent + "]");
		}
		else if (value instanceof String text) {
			string(json, text);
		}
		else if (value instanceof Double number) {
			json.append((number.isNaN() || number.isInfinite()) ? "null"
					: (number == Math.rint(number) && Math.abs(number) < 1e15) ? Long.toString(number.longValue())
							: number.toString());
		}
		else if (value instanceof Number || value instanceof Boolean) {
			json.append(value);
		}
		else if (value == null) {
			json.append("null");
		}
		else {
			string(json, value.toString());
		}
	}

	private static void string(StringBuilder json, String text) {
		json.append('"');
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

}
