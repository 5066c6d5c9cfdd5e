package io.github.cancelscope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Architecture rules of the core module, checked on its main classes.
 */
@AnalyzeClasses(packages = "io.github.cancelscope", importOptions = CoreArchitectureTests.MainClassesOnly.class)
class CoreArchitectureTests {

	private static final String API_PACKAGE = "io.github.cancelscope";

	private static final int MAX_PUBLIC_API_TYPES = 12;

	private static final int MAX_SOURCE_LINES = 450;

	// by name: the tests compile for Java 17, which has no ScopedValue
	private static final String SCOPED_VALUE = "java.lang.ScopedValue";

	private static final Set<String> IMPLEMENTATION_CLASSES = Set.of("io.github.cancelscope.AbortableRegion",
			"io.github.cancelscope.CleanupStack", "io.github.cancelscope.CurrentThreadScope",
			"io.github.cancelscope.Deadline", "io.github.cancelscope.DefaultScope", "io.github.cancelscope.Fork",
			"io.github.cancelscope.ForkThreads$Platform", "io.github.cancelscope.Jdk",
			"io.github.cancelscope.ThreadLocalBinding", "io.github.cancelscope.ScopedValueBinding",
			"io.github.cancelscope.VirtualForkThreads",
			"io.github.cancelscope.ForkGroup", "io.github.cancelscope.InterruptPolicy", "io.github.cancelscope.Joins",
			"io.github.cancelscope.ScopeBinding", "io.github.cancelscope.ScopeEvents", "io.github.cancelscope.Snapshots",
			"io.github.cancelscope.spi.CompositeScopeObserver", "io.github.cancelscope.spi.SystemScopeClock");

	@ArchTest
	static final ArchRule coreDoesNotDependOnSpring = noClasses().should()
		.dependOnClassesThat()
		.resideInAPackage("org.springframework..")
		.because("the core is plain Java; Spring integration lives in the autoconfigure module");

	@ArchTest
	static final ArchRule implementationClassesAreFinalAndNotPublic = classes()
		.that(new DescribedPredicate<JavaClass>("are scope implementation classes " + IMPLEMENTATION_CLASSES) {

			@Override
			public boolean test(JavaClass javaClass) {
				return IMPLEMENTATION_CLASSES.contains(javaClass.getName());
			}

		})
		.should()
		.notBePublic()
		.andShould()
		.haveModifier(JavaModifier.FINAL)
		.because("application code sees only the small public interfaces");

	@ArchTest
	static final ArchRule publicSignaturesDoNotMentionScopedValue = publicSignaturesDoNotMention(SCOPED_VALUE)
		.because("the API must not tie its callers to the Java release that has ScopedValue (25; the baseline is 17); "
				+ "CheckedCallable stands for ScopedValue.CallableOp");

	@Test
	void applicationFacingPackageHasAtMostTwelvePublicTypes() {
		List<String> publicTypes = mainClasses().stream()
			.filter((type) -> type.getPackageName().equals(API_PACKAGE) && type.isTopLevelClass()
					&& type.getModifiers().contains(JavaModifier.PUBLIC))
			.map(JavaClass::getSimpleName)
			.sorted()
			.toList();
		assertThat(publicTypes).as("public types of %s; extension points belong in its spi package", API_PACKAGE)
			.hasSizeLessThanOrEqualTo(MAX_PUBLIC_API_TYPES);
	}

	@Test
	void noMainSourceFileIsOverFourHundredFiftyLines() throws IOException {
		Map<String, Long> oversized = new TreeMap<>();
		Path roots = mainSources().getParent();
		try (Stream<Path> paths = Files.walk(roots)) {
			for (Path file : paths.filter((path) -> path.toString().endsWith(".java")).toList()) {
				long lines;
				try (Stream<String> content = Files.lines(file)) {
					lines = content.count();
				}
				if (lines > MAX_SOURCE_LINES) {
					oversized.put(roots.relativize(file).toString(), lines);
				}
			}
		}
		assertThat(oversized).as("source files over %d lines: a file that needs a table of contents is two files",
				MAX_SOURCE_LINES)
			.isEmpty();
	}

	@Test
	void scopedValueRuleMatchesScopedValueAndItsNestedTypesByName() {
		assertThat(List.of("java.lang.ScopedValue", "java.lang.ScopedValue$Carrier", "java.lang.ScopedValue$CallableOp"))
			.allMatch((name) -> isOrIsNestedIn(name, SCOPED_VALUE));
		assertThat(List.of("java.lang.ScopedValues", "java.lang.ThreadLocal", "io.github.cancelscope.ScopedValueBinding",
				"io.github.cancelscope.CheckedCallable"))
			.noneMatch((name) -> isOrIsNestedIn(name, SCOPED_VALUE));
	}

	@Test
	void signatureRuleFindsATypeInParametersReturnTypesAndTypeArguments() {
		// the same rule, for a stand-in that Java 17 can compile against
		JavaClasses fixture = new ClassFileImporter().importClasses(SignaturesThatMentionAType.class);
		assertThat(publicSignaturesDoNotMention(StandIn.class.getName()).evaluate(fixture)
			.getFailureReport()
			.getDetails()).hasSize(4).noneMatch((violation) -> violation.contains("doesNotMentionIt"));
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_25)
	void scopedValueRuleFailsOnSignaturesThatMentionTheRealScopedValue() throws ClassNotFoundException {
		// the JDK's own ScopedValue.Carrier: where(ScopedValue, T), get(ScopedValue) and call(CallableOp)
		// mention it, run(Runnable) does not
		JavaClasses jdk = new ClassFileImporter().importClasses(Class.forName(SCOPED_VALUE + "$Carrier"));
		List<String> violations = publicSignaturesDoNotMentionScopedValue.evaluate(jdk).getFailureReport().getDetails();
		assertThat(violations).anyMatch((violation) -> violation.contains("Carrier.call("))
			.anyMatch((violation) -> violation.contains("Carrier.where("))
			.anyMatch((violation) -> violation.contains("Carrier.get("))
			.noneMatch((violation) -> violation.contains("Carrier.run("));
	}

	@Test
	void everyPackageHasANullMarkedPackageInfo() throws IOException {
		Path sources = mainSources();
		List<Path> packages;
		try (Stream<Path> paths = Files.walk(sources)) {
			packages = paths.filter(Files::isDirectory).filter(CoreArchitectureTests::holdsJavaSources).toList();
		}
		assertThat(packages).isNotEmpty();
		for (Path folder : packages) {
			Path packageInfo = folder.resolve("package-info.java");
			assertThat(packageInfo).as("package-info.java of %s", sources.relativize(folder)).isRegularFile();
			assertThat(Files.readString(packageInfo)).as("%s", packageInfo)
				.contains("@NullMarked")
				.containsPattern("/\\*\\*\\s*\\n\\s*\\*\\s*\\S");
		}
	}

	private static Path mainSources() {
		Path sources = Path.of("src/main/java");
		assertThat(sources).as("main sources, relative to the module folder").isDirectory();
		return sources;
	}

	private static JavaClasses mainClasses() {
		return new ClassFileImporter().withImportOption(new MainClassesOnly()).importPackages(API_PACKAGE);
	}

	private static boolean holdsJavaSources(Path folder) {
		try (Stream<Path> files = Files.list(folder)) {
			return files.anyMatch((file) -> file.getFileName().toString().endsWith(".java"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static ArchRule publicSignaturesDoNotMention(String typeName) {
		return codeUnits().that().arePublic().or().areProtected().should(notMentionInTheirSignature(typeName));
	}

	/**
	 * Whether a code unit's parameters, return type, type parameters or their type arguments
	 * mention the type named {@code typeName} or a type nested in it. By name, so that the type
	 * need not exist in the JVM that runs the check.
	 */
	private static ArchCondition<JavaCodeUnit> notMentionInTheirSignature(String typeName) {
		return new ArchCondition<>("not mention " + typeName + " in their signature") {

			@Override
			public void check(JavaCodeUnit codeUnit, ConditionEvents events) {
				boolean mentions = codeUnit.getAllInvolvedRawTypes()
					.stream()
					.anyMatch((involved) -> isOrIsNestedIn(involved.getName(), typeName));
				String message = codeUnit.getFullName() + (mentions ? " mentions " : " does not mention ") + typeName;
				events.add(new SimpleConditionEvent(codeUnit, !mentions, message));
			}

		};
	}

	private static boolean isOrIsNestedIn(String name, String typeName) {
		return name.equals(typeName) || name.startsWith(typeName + "$");
	}

	/**
	 * Stands for {@code ScopedValue}, with types nested in it as {@code ScopedValue} has.
	 */
	static final class StandIn<T> {

		interface Carrier {

		}

		interface CallableOp<R, X extends Throwable> {

		}

	}

	interface SignaturesThatMentionAType {

		void parameter(StandIn<String> value);

		StandIn.Carrier returnType();

		List<StandIn.CallableOp<String, RuntimeException>> typeArgument();

		<T extends StandIn.CallableOp<String, RuntimeException>> void typeParameter(T op);

		void doesNotMentionIt(String text);

	}

	/**
	 * Imports main classes only. ArchUnit's own {@code DoNotIncludeTests} recognises
	 * {@code target/test-classes} only, and local builds use other output folders.
	 */
	static final class MainClassesOnly implements ImportOption {

		@Override
		public boolean includes(Location location) {
			return !location.contains("/test-classes/") && !location.contains("\\test-classes\\");
		}

	}

}
