package io.github.cancelscope.web.client;

import java.io.IOException;
import java.io.InputStream;

import io.github.cancelscope.ScopeCancelledException;

/**
 * The body of a {@link ScopedClientHttpResponse}: each read runs as a step of its exchange, so a
 * stalled body does not outlive the scope. A read that the cancellation stopped throws
 * {@link ScopeCancelledException}.
 */
final class ScopedInputStream extends InputStream {

	private final InputStream delegate;

	private final ScopedExchange exchange;

	ScopedInputStream(InputStream delegate, ScopedExchange exchange) {
		this.delegate = delegate;
		this.exchange = exchange;
	}

	boolean wraps(InputStream stream) {
		return this.delegate == stream;
	}

	@Override
	public int read() throws IOException {
		return this.exchange.run(this.delegate::read);
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		return this.exchange.run(() -> this.delegate.read(b, off, len));
	}

	@Override
	public long skip(long n) throws IOException {
		return this.exchange.run(() -> this.delegate.skip(n));
	}

	@Override
	public int available() throws IOException {
		return this.delegate.available();
	}

	@Override
	public void close() throws IOException {
		// once the scope is cancelled, the connection is: closing it again without draining is quick
		this.exchange.close(this.delegate, this.delegate);
	}

}
