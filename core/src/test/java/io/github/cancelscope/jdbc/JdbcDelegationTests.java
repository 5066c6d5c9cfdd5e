package io.github.cancelscope.jdbc;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decorated JDBC types are plain delegating classes: every method of {@link Connection},
 * {@link Statement}, {@link PreparedStatement} and {@link CallableStatement} reaches the same
 * method of the driver's object, with the same arguments, outside any scope. Checked for every
 * method the interfaces declare, so a method added to them, or one delegated to the wrong overload,
 * fails here.
 */
class JdbcDelegationTests {

	@Test
	void everyConnectionMethodReachesTheDriversConnection() throws Throwable {
		Recorder driver = new Recorder();
		Connection connection = new CancellableConnection(driver.proxy(Connection.class), false, AbortPolicy.NEVER);
		assertEveryMethodDelegates(Connection.class, connection, driver);
	}

	@Test
	void everyStatementMethodReachesTheDriversStatement() throws Throwable {
		Recorder driver = new Recorder();
		Connection connection = new CancellableConnection(driver.proxy(Connection.class), false, AbortPolicy.NEVER);
		assertEveryMethodDelegates(Statement.class, connection.createStatement(), driver);
		assertEveryMethodDelegates(PreparedStatement.class, connection.prepareStatement("SELECT 1"), driver);
		assertEveryMethodDelegates(CallableStatement.class, connection.prepareCall("{call f()}"), driver);
	}

	@Test
	void statementsAnswerTheDecoratedConnectionAndUnwrapToTheDriversObjects() throws Throwable {
		Recorder driver = new Recorder();
		Connection connection = new CancellableConnection(driver.proxy(Connection.class), false, AbortPolicy.NEVER);
		PreparedStatement statement = connection.prepareStatement("SELECT 1");
		assertThat(statement.getConnection()).isSameAs(connection);
		assertThat(statement.unwrap(PreparedStatement.class)).isSameAs(statement);
		assertThat(statement.isWrapperFor(PreparedStatement.class)).isTrue();
		assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
		assertThat(connection).hasToString("CancellableConnection[recording Connection]");
		assertThat(statement).hasToString("CancellablePreparedStatement[recording PreparedStatement]");
	}

	private static void assertEveryMethodDelegates(Class<?> type, Object decorated, Recorder driver) throws Throwable {
		List<String> wrong = new ArrayList<>();
		for (Method method : type.getMethods()) {
			if (Modifier.isStatic(method.getModifiers()) || method.getName().equals("unwrap")
					|| method.getName().equals("isWrapperFor")
					|| (method.getName().equals("getConnection") && method.getParameterCount() == 0)) {
				continue;
			}
			Object[] arguments = Arrays.stream(method.getParameterTypes()).map(JdbcDelegationTests::argument).toArray();
			driver.last = null;
			method.invoke(decorated, arguments);
			if (driver.last == null || !driver.last.getName().equals(method.getName())
					|| !Arrays.equals(driver.last.getParameterTypes(), method.getParameterTypes())
					|| !Arrays.equals(driver.lastArguments, (arguments.length == 0) ? null : arguments)) {
				wrong.add(method + " reached " + driver.last);
			}
		}
		assertThat(wrong).as("methods of %s not delegated as they were called", type.getSimpleName()).isEmpty();
	}

	private static @Nullable Object argument(Class<?> type) {
		if (!type.isPrimitive()) {
			return null;
		}
		if (type == boolean.class) {
			return true;
		}
		if (type == long.class) {
			return 7L;
		}
		if (type == double.class) {
			return 7d;
		}
		if (type == float.class) {
			return 7f;
		}
		if (type == short.class) {
			return (short) 7;
		}
		if (type == byte.class) {
			return (byte) 7;
		}
		return 7;
	}

	/**
	 * A driver's JDBC objects that remember the last method called on any of them.
	 */
	static final class Recorder {

		@Nullable Method last;

		Object @Nullable [] lastArguments;

		<T> T proxy(Class<T> type) {
			return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type },
					(proxy, method, arguments) -> {
						if (method.getName().equals("toString")) {
							return "recording " + type.getSimpleName();
						}
						this.last = method;
						this.lastArguments = arguments;
						Class<?> returned = method.getReturnType();
						if (Statement.class.isAssignableFrom(returned)) {
							return proxy(returned);
						}
						// a value of the primitive type a method returns; the proxy ignores it for void
						return returned.isPrimitive() ? argument(returned) : null;
					}));
		}

	}

}
