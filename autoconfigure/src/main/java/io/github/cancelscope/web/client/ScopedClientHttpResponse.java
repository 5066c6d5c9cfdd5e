package io.github.cancelscope.web.client;

import java.io.IOException;
import java.io.InputStream;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The response of a {@link ScopedExchange}: reading its body and closing it (which may drain the
 * body) are aborted when the scope is cancelled. Closing it ends the exchange.
 */
final class ScopedClientHttpResponse implements ClientHttpResponse {

	private final ClientHttpResponse delegate;

	private final ScopedExchange exchange;

	private @Nullable ScopedInputStream body;

	ScopedClientHttpResponse(ClientHttpResponse delegate, ScopedExchange exchange) {
		this.delegate = delegate;
		this.exchange = exchange;
	}

	@Override
	public HttpStatusCode getStatusCode() throws IOException {
		return this.delegate.getStatusCode();
	}

	@Override
	public String getStatusText() throws IOException {
		return this.delegate.getStatusText();
	}

	@Override
	public HttpHeaders getHeaders() {
		return this.delegate.getHeaders();
	}

	@Override
	public InputStream getBody() throws IOException {
		InputStream delegateBody = this.delegate.getBody();
		ScopedInputStream body = this.body;
		if (body == null || !body.wraps(delegateBody)) {
			body = new ScopedInputStream(delegateBody, this.exchange);
			this.body = body;
		}
		return body;
	}

	@Override
	public void close() {
		try {
			this.exchange.close(this.delegate::close, this::closeWithoutDraining);
		}
		catch (IOException ex) {
			// closing a ClientHttpResponse does not throw
		}
		finally {
			this.exchange.end();
		}
	}

	/**
	 * Closes the body first, so that closing the response finds nothing to drain and does not wait
	 * for a body that nobody will read.
	 */
	private void closeWithoutDraining() throws IOException {
		try {
			this.delegate.getBody().close();
		}
		finally {
			this.delegate.close();
		}
	}

}
