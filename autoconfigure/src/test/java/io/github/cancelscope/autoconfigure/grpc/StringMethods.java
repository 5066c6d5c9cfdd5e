package io.github.cancelscope.autoconfigure.grpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.grpc.MethodDescriptor;

/**
 * A gRPC unary method of strings, so the tests need no generated code.
 */
final class StringMethods {

	static final MethodDescriptor<String, String> SLOW_REPORT = unary("test.Reports/Slow");

	private StringMethods() {
	}

	private static MethodDescriptor<String, String> unary(String fullName) {
		MethodDescriptor.Marshaller<String> strings = new MethodDescriptor.Marshaller<>() {

			@Override
			public InputStream stream(String value) {
				return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
			}

			@Override
			public String parse(InputStream stream) {
				try {
					return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}

		};
		return MethodDescriptor.<String, String>newBuilder()
			.setType(MethodDescriptor.MethodType.UNARY)
			.setFullMethodName(fullName)
			.setRequestMarshaller(strings)
			.setResponseMarshaller(strings)
			.build();
	}

}
