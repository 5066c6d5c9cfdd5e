package io.github.cancelscope.sample;

import java.time.Duration;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.convert.converter.Converter;
import org.springframework.stereotype.Component;

/**
 * Lets request parameters say {@code 30s} or {@code 500ms}, as properties do.
 */
@Component
class DurationParameterConverter implements Converter<String, Duration> {

	@Override
	public Duration convert(String source) {
		return DurationStyle.detectAndParse(source);
	}

}
