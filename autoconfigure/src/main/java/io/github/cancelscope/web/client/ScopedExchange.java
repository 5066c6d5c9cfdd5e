package io.github.cancelscope.web.client;

import java.io.Closeable;
import java.io.IOException;

import io.github.cancelscope.CheckedCallable;
import io.github.cancelscope.Registration;
import io.github.cancelscope.RequestScope;
import io.github.cancelscope.ScopeCancelledException;
import org.jspecify.annotations.Nullable;

import org.springframework.http.client.ClientHttpResponse;

/**
 * One outbound HTTP exchange made in a scope, from sending the request to closing the response.
 * A cancellation of the scope stops it in two ways, both the scope's own:
 * <ul>
 * <li>each blocking step runs in an {@linkplain RequestScope#interruptible interruptible region},
 * whose interrupt aborts the JDK {@code HttpClient}'s exchange and is cleared when the step ends;</li>
 * <li>a connection that a request factory {@linkplain #attach attached} (Apache HttpComponents,
 * whose socket reads ignore interrupts) is cancelled by a {@linkplain RequestScope#onCancel
 * cancellation listener}, kept until the exchange {@linkplain #end() ends}. The JDK
 * {@code HttpClient}'s response body is attached in the same way, closed by the listener: on Java 17
 * an interrupt does not stop a read blocked in it, closing it does on every Java.</li>
 * </ul>
 */
final class ScopedExchange {

	// the request is executed on the calling thread, so a plain thread-local, set and restored around
	// it and never inherited, reaches the request factory's integration on every Java
	private static final ThreadLocal<ScopedExchange> CURRENT = new ThreadLocal<>();

	private static final String REGION_KIND = "http";

	/** Spring's response of the JDK {@code HttpClient}, whose body is the client's own stream. */
	private static final String JDK_RESPONSE = "org.springframework.http.client.JdkClientHttpResponse";

	private final RequestScope scope;

	private volatile Registration connection = Registration.NONE;

	ScopedExchange(RequestScope scope) {
		this.scope = scope;
	}

	/**
	 * Returns the exchange whose request the current thread is executing, if any.
	 */
	static @Nullable ScopedExchange current() {
		return CURRENT.get();
	}

	/**
	 * Executes this exchange's request as a {@linkplain #run step}, with this exchange
	 * {@linkplain #current() current} on the calling thread meanwhile.
	 * @param request executes the request
	 * @return the response, whose body is read and which is closed as steps of this exchange
	 * @throws ScopeCancelledException as {@link #run}
	 * @throws IOException as {@link #run}
	 */
	ClientHttpResponse execute(CheckedCallable<? extends ClientHttpResponse, IOException> request)
			throws IOException {
		ClientHttpResponse response = run(() -> {
			ScopedExchange outer = CURRENT.get();
			CURRENT.set(this);
			try {
				return request.call();
			}
			finally {
				if (outer != null) {
					CURRENT.set(outer);
				}
				else {
					CURRENT.remove();
				}
			}
		});
		if (JDK_RESPONSE.equals(response.getClass().getName())) {
			attach(() -> closeBody(response));
		}
		return new ScopedClientHttpResponse(response, this);
	}

	private static void closeBody(ClientHttpResponse response) {
		try {
			response.getBody().close();
		}
		catch (IOException ex) {
			// the exchange is aborted all the same
		}
	}

	/**
	 * Runs a blocking step of this exchange so that a cancellation of the scope aborts it.
	 * @param step the step
	 * @return what the step returns
	 * @throws ScopeCancelledException if the scope was cancelled before the step started, or the
	 * step failed because the cancellation aborted it (its own failure is suppressed)
	 * @throws IOException if the step failed for another reason
	 */
	<T> T run(CheckedCallable<? extends T, IOException> step) throws IOException {
		try {
			return this.scope.interruptible(REGION_KIND, step);
		}
		catch (ScopeCancelledException ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			if (this.scope.isCancelled()) {
				throw cancelled(ex);
			}
			throw ex;
		}
	}

	/**
	 * Closes part of this exchange, which may drain what is left of the response body (Apache
	 * HttpComponents does, to reuse the connection; Spring's JDK response does too). While the scope
	 * is live, closing runs as a step that a cancellation aborts; once it is cancelled, the part is
	 * closed without draining, which is quick: the connection is cancelled or the body closed first.
	 * @param closeable closes the part, possibly draining it
	 * @param withoutDraining closes the part without waiting for the rest of the body
	 * @throws IOException if closing failed while the scope was live
	 */
	void close(Closeable closeable, Closeable withoutDraining) throws IOException {
		if (!this.scope.isCancelled()) {
			try {
				run(() -> {
					closeable.close();
					return null;
				});
				return;
			}
			catch (ScopeCancelledException ex) {
				// cancelled before or while closing: close without draining
			}
		}
		try {
			withoutDraining.close();
		}
		catch (IOException ex) {
			// the exchange is aborted: a failure to close it says nothing new
		}
	}

	/**
	 * Gives this exchange the means to cancel its connection, which it does when the scope is
	 * cancelled, at once if it already is. Called by a request factory's integration on the thread
	 * that executes the request.
	 * @param cancel cancels the exchange's connection; must be quick and must not throw
	 */
	void attach(Runnable cancel) {
		this.connection = this.scope.onCancel((cancellation) -> cancel.run());
	}

	/**
	 * Ends this exchange: its connection is no longer cancelled with the scope.
	 */
	void end() {
		this.connection.close();
	}

	private ScopeCancelledException cancelled(Throwable failure) {
		ScopeCancelledException cancelled = this.scope.cancellation()
			.orElseThrow(() -> new IllegalStateException("Exchange aborted in a scope that is not cancelled", failure))
			.toException();
		cancelled.addSuppressed(failure);
		return cancelled;
	}

}
