package io.github.cancelscope.jdbc;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Wrapper;

import org.jspecify.annotations.Nullable;

/**
 * The handler of a JDK proxy around a JDBC object: the methods every such proxy answers itself
 * ({@code unwrap}, {@code isWrapperFor}, {@code equals}, {@code hashCode}, {@code toString}) and the
 * plain call through to the wrapped object. {@code unwrap} reaches the driver's or the pool's own
 * object, so code that needs a vendor interface still gets it.
 *
 * @param <T> the JDBC type wrapped
 */
abstract class JdbcProxy<T extends Wrapper> implements InvocationHandler {

	final T delegate;

	JdbcProxy(T delegate) {
		this.delegate = delegate;
	}

	// Proxy.newProxyInstance looks its class up again on every call: one per connection and statement
	private static final ClassValue<Constructor<?>> constructors = new ClassValue<>() {

		@Override
		protected Constructor<?> computeValue(Class<?> type) {
			Class<?> proxyClass = Proxy
				.newProxyInstance(JdbcProxy.class.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> null)
				.getClass();
			try {
				Constructor<?> constructor = proxyClass.getConstructor(InvocationHandler.class);
				// spares newInstance its access check, one per connection and statement
				constructor.trySetAccessible();
				return constructor;
			}
			catch (NoSuchMethodException ex) {
				throw new IllegalStateException("No constructor on the proxy class for " + type.getName(), ex);
			}
		}

	};

	static <P> P create(Class<P> type, JdbcProxy<?> handler) {
		try {
			return type.cast(constructors.get(type).newInstance(handler));
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Cannot create a proxy for " + type.getName(), ex);
		}
	}

	@Override
	public final @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		return switch (method.getName()) {
			case "unwrap" -> unwrap(proxy, (Class<?>) arg(args));
			case "isWrapperFor" -> isWrapperFor(proxy, (Class<?>) arg(args));
			case "equals" -> proxy == arg(args);
			case "hashCode" -> System.identityHashCode(proxy);
			case "toString" -> getClass().getSimpleName() + "[" + this.delegate + "]";
			default -> handle(proxy, method, args);
		};
	}

	/**
	 * Handles every method not answered by this class.
	 */
	abstract @Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) throws Throwable;

	final @Nullable Object invokeDelegate(Method method, @Nullable Object[] args) throws Throwable {
		try {
			return accessible(method).invoke(this.delegate, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * Returns {@code method} with its access check switched off. The check runs on every call
	 * otherwise, and its one-entry cache misses whenever a method (such as {@code close}) is called on
	 * objects of different classes: measured at about 3 % of the server's CPU on a page that runs 40
	 * statements. The methods are public members of public interfaces (the proxy's {@code Method}
	 * objects, owned by this proxy class), so making them accessible is always allowed; if a module
	 * refuses it, the call keeps its check.
	 */
	@SuppressWarnings("deprecation") // isAccessible() only reads the flag that setAccessible(true) sets
	private static Method accessible(Method method) {
		if (!method.isAccessible()) {
			method.trySetAccessible();
		}
		return method;
	}

	private Object unwrap(Object proxy, Class<?> type) throws Exception {
		if (type.isInstance(proxy)) {
			return proxy;
		}
		return this.delegate.unwrap(type);
	}

	private boolean isWrapperFor(Object proxy, Class<?> type) throws Exception {
		return type.isInstance(proxy) || this.delegate.isWrapperFor(type);
	}

	private static @Nullable Object arg(@Nullable Object[] args) {
		return (args != null && args.length == 1) ? args[0] : null;
	}

}
