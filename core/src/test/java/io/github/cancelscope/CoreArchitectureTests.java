package io.github.cancelscope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Architecture rules of the core module, checked on its main classes.
 */
@AnalyzeClasses(packages = "io.github.cancelscope", importOptions = CoreArchitectureTests.MainClassesOnly.class)
class CoreArchitectureTests {

	private static final Set<String> IMPLEMENTATION_CLASSES = Set.of("DefaultScope", "Fork", "ScopeView",
			"AbortableRegion", "SystemScopeClock", "ScopeBinding", "Cancellation", "CompositeScopeObserver");

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
				return javaClass.getPackageName().equals("io.github.cancelscope")
						&& IMPLEMENTATION_CLASSES.contains(javaClass.getSimpleName());
			}

		})
		.should()
		.notBePublic()
		.andShould()
		.haveModifier(JavaModifier.FINAL)
		.because("application code sees only the small public interfaces");

	@Test
	void everyImplementationClassExists() throws ClassNotFoundException {
		for (String name : IMPLEMENTATION_CLASSES) {
			assertThat(Class.forName("io.github.cancelscope." + name)).isNotNull();
		}
	}

	@Test
	void everyPackageHasANullMarkedPackageInfo() throws IOException {
		Path sources = Path.of("src/main/java");
		assertThat(sources).as("main sources, relative to the module folder").isDirectory();
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

	private static boolean holdsJavaSources(Path folder) {
		try (Stream<Path> files = Files.list(folder)) {
			return files.anyMatch((file) -> file.getFileName().toString().endsWith(".java"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Imports main classes only. ArchUnit's own {@code DoNotIncludeTests} recognises
	 * {@code target/test-classes} only, and local builds use other output folders.
	 */
	static final class MainClassesOnly implements ImportOption {

		@Override
		public boolean includes(com.tngtech.archunit.core.importer.Location location) {
			return !location.contains("/test-classes/") && !location.contains("\\test-classes\\");
		}

	}

}
