package io.github.cancelscope.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conventions of Spring Boot's own auto-configurations, checked for every one listed in the
 * imports file: public final, annotated, and no public members; bean methods and nested
 * configurations package-private; bean post-processors declared by static methods. And the one
 * switch of them all: {@link ConditionalOnCancelScopeEnabled}.
 */
class AutoConfigurationConventionTests {

	private static final String IMPORTS = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

	@Test
	void everyListedAutoConfigurationFollowsBootsConventions() throws Exception {
		List<Class<?>> autoConfigurations = listed();
		assertThat(autoConfigurations).isNotEmpty();
		for (Class<?> type : autoConfigurations) {
			assertThat(Modifier.isPublic(type.getModifiers()) && Modifier.isFinal(type.getModifiers()))
				.as("%s is public final", type.getName())
				.isTrue();
			assertThat(type.isAnnotationPresent(AutoConfiguration.class)).as("%s is an @AutoConfiguration", type.getName())
				.isTrue();
			checkBeanMethods(type);
			for (Class<?> nested : type.getDeclaredClasses()) {
				if (nested.isAnnotationPresent(Configuration.class)) {
					assertThat(Modifier.isPublic(nested.getModifiers())).as("%s is not public", nested.getName()).isFalse();
					checkBeanMethods(nested);
				}
			}
		}
	}

	@Test
	void everyListedAutoConfigurationIsSwitchedByTheOneCondition() throws Exception {
		for (Class<?> type : listed()) {
			assertThat(type.isAnnotationPresent(ConditionalOnCancelScopeEnabled.class))
				.as("%s is @ConditionalOnCancelScopeEnabled", type.getName())
				.isTrue();
		}
	}

	@Test
	void switchedOffTheApplicationIsExactlyAsWithoutTheStarter() throws Exception {
		WebApplicationContextRunner withoutStarter = new WebApplicationContextRunner();
		WebApplicationContextRunner switchedOff = new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(listed().toArray(Class<?>[]::new)))
			.withPropertyValues("cancelscope.enabled=false");
		withoutStarter.run((expected) -> switchedOff.run((context) -> assertThat(context.getBeanDefinitionNames())
			.containsExactlyInAnyOrder(expected.getBeanDefinitionNames())));
	}

	private static void checkBeanMethods(Class<?> type) {
		for (Method method : type.getDeclaredMethods()) {
			if (method.isAnnotationPresent(Bean.class)) {
				assertThat(Modifier.isPublic(method.getModifiers())).as("@Bean %s is not public", method).isFalse();
				if (BeanPostProcessor.class.isAssignableFrom(method.getReturnType())) {
					assertThat(Modifier.isStatic(method.getModifiers())).as("@Bean %s is static", method).isTrue();
				}
			}
		}
	}

	private static List<Class<?>> listed() throws IOException, ClassNotFoundException {
		List<Class<?>> types = new ArrayList<>();
		ClassLoader classLoader = AutoConfigurationConventionTests.class.getClassLoader();
		var resources = classLoader.getResources(IMPORTS);
		while (resources.hasMoreElements()) {
			try (InputStream in = resources.nextElement().openStream()) {
				for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
					String name = line.strip();
					if (name.startsWith("io.github.cancelscope.")) {
						types.add(Class.forName(name, false, classLoader));
					}
				}
			}
		}
		return types;
	}

}
