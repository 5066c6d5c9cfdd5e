package io.github.cancelscope.autoconfigure;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import org.springframework.http.ProblemDetail;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Architecture rules of the auto-configuration module, checked on its main classes: runtime types
 * apart from their auto-configurations, and each rule in one place.
 */
@AnalyzeClasses(packages = { "io.github.cancelscope.autoconfigure", "io.github.cancelscope.web",
		"io.github.cancelscope.observation", "io.github.cancelscope.resilience", "io.github.cancelscope.grpc" }, importOptions = ArchitectureTests.MainClassesOnly.class)
class ArchitectureTests {

	private static final String CANCELLATION_RESPONSES = "io.github.cancelscope.autoconfigure.web.servlet.CancellationResponses";

	@ArchTest
	static final ArchRule runtimeTypesDoNotDependOnTheAutoConfigurations = noClasses().that()
		.resideInAnyPackage("io.github.cancelscope.web..", "io.github.cancelscope.observation..",
				"io.github.cancelscope.resilience..", "io.github.cancelscope.grpc..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("io.github.cancelscope.autoconfigure..")
		.because("applications use the runtime types without the auto-configurations, as in Spring Boot 4");

	@ArchTest
	static final ArchRule oneClassTurnsACancellationIntoAResponse = noClasses().that()
		.doNotHaveFullyQualifiedName(CANCELLATION_RESPONSES)
		.should()
		.dependOnClassesThat()
		.areAssignableTo(ProblemDetail.class)
		.because("how a cancelled request is answered is decided in one place");

	@ArchTest
	static final ArchRule outboundCallsLeaveInterruptsToTheScope = noClasses().that()
		.resideInAPackage("io.github.cancelscope.web.client..")
		.should()
		.callMethod(Thread.class, "interrupt")
		.orShould()
		.callMethod(Thread.class, "interrupted")
		.orShould()
		.callMethod(Thread.class, "isInterrupted")
		.because("the core's interruptible regions deliver and clear interrupts, in one place");

	/**
	 * Leaves out the test classes, whatever the build folder is called.
	 */
	static final class MainClassesOnly implements ImportOption {

		@Override
		public boolean includes(Location location) {
			return !location.contains("/test-classes/");
		}

	}

}
