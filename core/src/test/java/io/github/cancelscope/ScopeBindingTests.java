package io.github.cancelscope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import io.github.cancelscope.spi.ScopeSettings;
import io.github.cancelscope.test.RootScopeExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link ScopeBinding} and the {@link ThreadBinding}s: which one a JVM uses, what each
 * promises, and that forks see their scope under the one in use, on either kind of fork thread.
 * They run on every Java and with every {@code -Dcancelscope.binding}: each binding this JVM can
 * load is tested on its own, and the one in use through the scopes.
 */
class ScopeBindingTests {

	private static final int JAVA = Runtime.version().feature();

	@RegisterExtension
	final RootScopeExtension root = new RootScopeExtension();

	@Test
	void bindingInUseIsWhatThePropertyAndTheJavaVersionAskFor() {
		String forced = System.getProperty(ScopeBinding.PROPERTY);
		String expected = (forced != null) ? forced : (JAVA >= 25) ? "scoped-value" : "thread-local";
		assertThat(ScopeBinding.binding()).hasToString(expected);
	}

	@Test
	void threadLocalBelowJava25() {
		for (int java : new int[] { 17, 21, 24 }) {
			assertThat(ScopeBinding.select(null, java)).isInstanceOf(ThreadLocalBinding.class);
		}
	}

	@Test
	void threadLocalOnAnyJavaWhenAskedFor() {
		for (int java : new int[] { 17, 21, 25 }) {
			assertThat(ScopeBinding.select("thread-local", java)).isInstanceOf(ThreadLocalBinding.class);
		}
	}

	@Test
	void scopedValueFromJava25() {
		assumeThat(JAVA).as("a JVM with ScopedValue").isGreaterThanOrEqualTo(25);
		assertThat(ScopeBinding.select(null, JAVA)).hasToString("scoped-value");
		assertThat(ScopeBinding.select("scoped-value", JAVA)).hasToString("scoped-value");
	}

	@Test
	void scopedValueBelowJava25FailsWithWhatToDo() {
		assertThatIllegalStateException().isThrownBy(() -> ScopeBinding.select("scoped-value", 21))
			.withMessage("-Dcancelscope.binding=scoped-value needs Java 25 or later; this is Java 21. "
					+ "Leave the property unset to use the thread-local binding here.");
	}

	@Test
	void unknownBindingFailsWithTheBindingsThereAre() {
		assertThatIllegalStateException().isThrownBy(() -> ScopeBinding.select("threadlocal", 25))
			.withMessage("-Dcancelscope.binding=threadlocal is not a binding: use scoped-value (Java 25 and later) "
					+ "or thread-local");
	}

	static List<ThreadBinding> bindings() {
		List<ThreadBinding> bindings = new ArrayList<>();
		bindings.add(new ThreadLocalBinding());
		if (JAVA >= 25) {
			bindings.add(ScopeBinding.select("scoped-value", JAVA));
		}
		return bindings;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("bindings")
	void bindsForTheCallAndRestoresWhatWasBoundBefore(ThreadBinding binding) {
		ScopeBinding.Frame outer = frame();
		ScopeBinding.Frame inner = frame();
		assertThat(binding.frame()).isNull();
		String seen = binding.call(outer, () -> {
			assertThat(binding.frame()).isSameAs(outer);
			binding.call(inner, () -> {
				assertThat(binding.frame()).isSameAs(inner);
				return null;
			});
			return (binding.frame() == outer) ? "outer again" : "lost";
		});
		assertThat(seen).isEqualTo("outer again");
		assertThat(binding.frame()).as("left on the thread").isNull();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("bindings")
	void restoresWhenTheCallThrowsAndLetsACheckedExceptionThrough(ThreadBinding binding) {
		ScopeBinding.Frame outer = frame();
		IOException failure = new IOException("disk gone");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> binding.call(outer, () -> binding.call(frame(), () -> {
			throw failure;
		}))).isSameAs(failure);
		assertThat(binding.frame()).as("left on the thread").isNull();
		binding.call(outer, () -> {
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> binding.call(frame(), () -> {
				throw new IllegalStateException("boom");
			}));
			assertThat(binding.frame()).isSameAs(outer);
			return null;
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("bindings")
	void threadsStartedInsideTheCallDoNotInheritTheBinding(ThreadBinding binding) {
		AtomicReference<Object> seen = new AtomicReference<>("not run");
		binding.call(frame(), () -> {
			Await.join(TestThreads.start(() -> seen.set(binding.frame())), "the thread ran");
			return null;
		});
		assertThat(seen).hasValue(null);
	}

	@Test
	void forksSeeTheirScopeOnPlatformThreads() {
		forksSeeTheirScope(ForkThreadsTests.platformRoot(4));
	}

	@Test
	void forksSeeTheirScopeOnTheThreadsThisJvmChooses() {
		forksSeeTheirScope(CancellableScope.root(ScopeSettings.defaults()));
	}

	private void forksSeeTheirScope(CancellableScope root) {
		try (root; CancellableScope request = root.openChild(); CancellableScope other = root.openChild()) {
			List<Object> seen = request.call(() -> request.fork(() -> {
				RequestScope outer = RequestScope.current();
				RequestScope inFork = RequestScope.current().fork(RequestScope::current).join();
				RequestScope inChild;
				try (CancellableScope child = request.openChild()) {
					inChild = child.call(() -> child.fork(RequestScope::current).join());
					assertThat(inChild).isSameAs(child);
				}
				return List.<Object>of(outer, inFork, RequestScope.current());
			}).join());
			assertThat(seen).containsExactly(request, request, request);
			// the next fork, perhaps on the same pooled thread, sees its own scope and nothing of the one before
			for (int i = 0; i < 20; i++) {
				assertThat(other.fork(RequestScope::current).join()).isSameAs(other);
				assertThat(root.fork(RequestScope::current).join()).isSameAs(root);
			}
			assertThat(RequestScope.find()).as("on the test's thread").isEmpty();
		}
	}

	/**
	 * Threads whose ids share an entry of the table in front of the binding bind and unbind nested
	 * scopes at once: each sees its own scope at every step, and none once it has left them.
	 */
	@Test
	@SuppressWarnings("deprecation")
	void threadsWhoseIdsCollideEachSeeTheirOwnScope() throws Exception {
		int threads = 4;
		int rounds = 20_000;
		List<Thread> colliding = new ArrayList<>();
		List<String> failures = new CopyOnWriteArrayList<>();
		CountDownLatch start = new CountDownLatch(1);
		CancellableScope root = this.root.scope();
		long firstId = -1;
		// thread ids are handed out as threads are made: every 1024th shares the first one's entry
		while (colliding.size() < threads) {
			Thread thread = new Thread(() -> {
				try (CancellableScope outer = root.openChild(); CancellableScope inner = root.openChild()) {
					Await.await(start, "the start");
					for (int i = 0; i < rounds && failures.isEmpty(); i++) {
						outer.call(() -> {
							expect(outer, "in the outer scope", failures);
							inner.call(() -> expect(inner, "in the inner scope", failures));
							expect(outer, "back in the outer scope", failures);
							return null;
						});
						if (RequestScope.find().isPresent()) {
							failures.add("a scope left bound: " + RequestScope.find().get());
						}
					}
				}
			});
			thread.setDaemon(true);
			if (firstId < 0) {
				firstId = thread.getId();
			}
			if ((thread.getId() - firstId) % 1024 == 0) {
				colliding.add(thread);
			}
		}
		colliding.forEach(Thread::start);
		start.countDown();
		for (Thread thread : colliding) {
			Await.join(thread, "a colliding thread");
		}
		assertThat(failures).isEmpty();
	}

	private static Object expect(CancellableScope scope, String where, List<String> failures) {
		RequestScope current = RequestScope.current();
		if (current != scope) {
			failures.add(where + ": saw " + current + " instead of " + scope);
		}
		return current;
	}

	private ScopeBinding.Frame frame() {
		return new ScopeBinding.Frame((DefaultScope) this.root.scope(), null, null);
	}

}
