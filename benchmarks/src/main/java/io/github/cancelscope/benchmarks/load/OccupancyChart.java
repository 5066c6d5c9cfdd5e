package io.github.cancelscope.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A hand-written SVG of the incident phase, both instances on one time axis: pool occupancy (active
 * connections plus threads waiting for one), the sample's slow queries executing on the server, and
 * the latency of {@code /healthy} requests (p99 and median per half second).
 */
final class OccupancyChart {

	private static final String OFF_COLOUR = "#d62728";

	private static final String ON_COLOUR = "#1f77b4";

	private static final int WIDTH = 920;

	private static final int LEFT = 70;

	private static final int RIGHT = 20;

	private static final int PANEL_HEIGHT = 170;

	private static final int PANEL_GAP = 50;

	private static final int TOP = 84;

	private final StringBuilder svg = new StringBuilder();

	private final double maxSeconds;

	private OccupancyChart(double maxSeconds) {
		this.maxSeconds = maxSeconds;
	}

	static String draw(IncidentRun off, IncidentRun on, LoadOptions options, String subtitle) {
		double last = Math.max(lastSecond(off), lastSecond(on));
		OccupancyChart chart = new OccupancyChart(Math.max(1, Math.ceil(last)));
		return chart.render(off, on, options, subtitle);
	}

	private static double lastSecond(IncidentRun run) {
		return run.samples().isEmpty() ? run.loadEnd() / 1e9 : run.samples().getLast().time() / 1e9;
	}

	private String render(IncidentRun off, IncidentRun on, LoadOptions options, String subtitle) {
		int height = TOP + 3 * PANEL_HEIGHT + 3 * PANEL_GAP + 20;
		this.svg.append(String.format(Locale.ROOT, """
				<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">
				<rect width="100%%" height="100%%" fill="white"/>
				""", WIDTH, height, WIDTH, height));
		text(LEFT, 22, "start", "font-size=\"16\" font-weight=\"bold\"",
				"Zombie queries under load: " + options.clients() + " clients, "
						+ Math.round(options.zombieShare() * 100) + "% to /zombie, pool of " + options.poolSize());
		text(LEFT, 40, "start", "fill=\"#555\"", subtitle);
		legend(LEFT, 62);

		int top = TOP;
		double occupancyMax = niceMax(Math.max(maxOf(off.samples(), PoolSample::occupancy),
				maxOf(on.samples(), PoolSample::occupancy)), options.poolSize());
		panel(top, occupancyMax, "pool occupancy: active + waiting", "connections + waiters");
		reference(top, occupancyMax, options.poolSize(), "pool size " + options.poolSize());
		loadEnd(top, options);
		poolLine(top, occupancyMax, off, OFF_COLOUR, PoolSample::occupancy);
		poolLine(top, occupancyMax, on, ON_COLOUR, PoolSample::occupancy);

		top += PANEL_HEIGHT + PANEL_GAP;
		double queriesMax = niceMax(Math.max(maxOf(off.samples(), PoolSample::queriesOnServer),
				maxOf(on.samples(), PoolSample::queriesOnServer)), 2);
		panel(top, queriesMax, "slow queries executing on the database server", "queries");
		loadEnd(top, options);
		poolLine(top, queriesMax, off, OFF_COLOUR, PoolSample::queriesOnServer);
		poolLine(top, queriesMax, on, ON_COLOUR, PoolSample::queriesOnServer);

		top += PANEL_HEIGHT + PANEL_GAP;
		double latencyMax = niceMax(Math.max(off.healthyLatency().max(), on.healthyLatency().max()), 10);
		panel(top, latencyMax, "/healthy latency per 0.5 s: p99 (solid), median (dashed)", "milliseconds");
		loadEnd(top, options);
		reference(top, latencyMax, options.poolTimeout().toMillis(),
				"pool timeout " + LoadOptions.format(options.poolTimeout()));
		if (options.requestTimeout().compareTo(options.poolTimeout()) < 0) {
			reference(top, latencyMax, options.requestTimeout().toMillis(),
					"request deadline " + LoadOptions.format(options.requestTimeout()) + " (with cancelscope)");
		}
		latencyLine(top, latencyMax, off, OFF_COLOUR, LatencySummary::p99, "");
		latencyLine(top, latencyMax, on, ON_COLOUR, LatencySummary::p99, "");
		latencyLine(top, latencyMax, off, OFF_COLOUR, LatencySummary::p50, " stroke-dasharray=\"5,3\"");
		latencyLine(top, latencyMax, on, ON_COLOUR, LatencySummary::p50, " stroke-dasharray=\"5,3\"");
		text(LEFT + plotWidth() / 2.0, top + PANEL_HEIGHT + 34, "middle", "", "seconds since the load began");
		this.svg.append("</svg>\n");
		return this.svg.toString();
	}

	private void legend(int x, int y) {
		line(x, y - 4, x + 24, y - 4, OFF_COLOUR, 2.5, "");
		text(x + 30, y, "start", "", "without cancelscope");
		line(x + 170, y - 4, x + 194, y - 4, ON_COLOUR, 2.5, "");
		text(x + 200, y, "start", "", "with cancelscope");
	}

	private void panel(int top, double max, String title, String unit) {
		text(LEFT, top - 8, "start", "font-weight=\"bold\"", title);
		this.svg.append(String.format(Locale.ROOT,
				"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n", LEFT, top,
				plotWidth(), PANEL_HEIGHT));
		for (int i = 0; i <= 4; i++) {
			double value = max * i / 4;
			double y = y(top, max, value);
			line(LEFT, y, LEFT + plotWidth(), y, "#e5e5e5", 1, "");
			text(LEFT - 6, y + 4, "end", "", label(value));
		}
		double step = (this.maxSeconds > 40) ? 10 : 5;
		for (double s = 0; s <= this.maxSeconds + 1e-9; s += step) {
			double x = x(s);
			line(x, top + PANEL_HEIGHT, x, top + PANEL_HEIGHT + 4, "#999", 1, "");
			text(x, top + PANEL_HEIGHT + 16, "middle", "", label(s));
		}
		this.svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\" fill=\"#555\">%s</text>%n",
				18, top + PANEL_HEIGHT / 2, 18, top + PANEL_HEIGHT / 2, escape(unit)));
	}

	private void reference(int top, double max, double value, String label) {
		double y = y(top, max, value);
		line(LEFT, y, LEFT + plotWidth(), y, "#333", 1, " stroke-dasharray=\"2,3\"");
		text(LEFT + plotWidth() - 4, y - 4, "end", "fill=\"#333\"", label);
	}

	private void loadEnd(int top, LoadOptions options) {
		double x = x(options.duration().toMillis() / 1000.0);
		line(x, top, x, top + PANEL_HEIGHT, "#888", 1, " stroke-dasharray=\"6,4\"");
		text(x + 4, top + 12, "start", "fill=\"#888\"", "clients stop");
	}

	private void poolLine(int top, double max, IncidentRun run, String colour,
			ToDoubleFunction<PoolSample> value) {
		List<double[]> points = new ArrayList<>();
		for (PoolSample sample : run.samples()) {
			double v = value.applyAsDouble(sample);
			if (v >= 0) {
				points.add(new double[] { sample.time() / 1e9, v });
			}
		}
		polyline(top, max, points, colour, "");
	}

	private void latencyLine(int top, double max, IncidentRun run, String colour,
			ToDoubleFunction<LatencySummary> value, String dash) {
		List<double[]> points = new ArrayList<>();
		List<LatencySummary> timeline = run.healthyLatencyTimeline();
		double bucket = IncidentRun.LATENCY_BUCKET.toMillis() / 1000.0;
		for (int i = 0; i < timeline.size(); i++) {
			if (timeline.get(i).count() > 0) {
				points.add(new double[] { (i + 0.5) * bucket, value.applyAsDouble(timeline.get(i)) });
			}
		}
		polyline(top, max, points, colour, dash);
	}

	private void polyline(int top, double max, List<double[]> points, String colour, String dash) {
		if (points.isEmpty()) {
			return;
		}
		StringBuilder coordinates = new StringBuilder();
		for (double[] point : points) {
			coordinates.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(point[0]), y(top, max, point[1])));
		}
		this.svg.append(String.format(Locale.ROOT,
				"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" stroke-linejoin=\"round\"%s points=\"%s\"/>%n",
				colour, dash, coordinates.toString().trim()));
	}

	private void line(double x1, double y1, double x2, double y2, String colour, double width, String extra) {
		this.svg.append(String.format(Locale.ROOT,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n", x1, y1,
				x2, y2, colour, width, extra));
	}

	private void text(double x, double y, String anchor, String attributes, String content) {
		this.svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n", x,
				y, anchor, attributes, escape(content)));
	}

	private static int plotWidth() {
		return WIDTH - LEFT - RIGHT;
	}

	private double x(double seconds) {
		return LEFT + plotWidth() * Math.min(seconds, this.maxSeconds) / this.maxSeconds;
	}

	private static double y(int top, double max, double value) {
		return top + PANEL_HEIGHT - PANEL_HEIGHT * Math.min(value, max) / max;
	}

	private static double maxOf(List<PoolSample> samples, ToDoubleFunction<PoolSample> value) {
		return samples.stream().mapToDouble(value).max().orElse(0);
	}

	/**
	 * A round upper bound for an axis: 1, 2 or 5 times a power of ten, at least {@code floor}.
	 */
	private static double niceMax(double max, double floor) {
		double target = Math.max(max, floor) * 1.05;
		double power = Math.pow(10, Math.floor(Math.log10(target)));
		for (double factor : new double[] { 1, 2, 2.5, 5, 10 }) {
			if (factor * power >= target) {
				return factor * power;
			}
		}
		return 10 * power;
	}

	private static String label(double value) {
		return (value == Math.rint(value)) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

}
