/** Bar charts for the statistics page, laid out on the server with d3-scale (no client script). */
import { scaleBand, scaleLinear } from 'd3-scale';

export interface Bar {
	label: string;
	value: number;
	x: number;
	y: number;
	width: number;
	height: number;
	/** Where the value is written. */
	textX: number;
	textY: number;
}

export interface BarChart {
	viewBox: string;
	width: number;
	height: number;
	bars: Bar[];
	/** Tick marks of the value axis. */
	ticks: { value: number; pos: number }[];
	orientation: 'vertical' | 'horizontal';
	/** Plot area, for axis lines. */
	plot: { left: number; top: number; right: number; bottom: number };
}

function niceTicks(max: number): number[] {
	return scaleLinear().domain([0, Math.max(1, max)]).nice().ticks(5).filter((t) => Number.isInteger(t));
}

/** Vertical bars (one per category along x), e.g. members per signing round. */
export function verticalBars(data: { label: string; value: number }[], width = 640, height = 300): BarChart {
	const plot = { left: 44, top: 16, right: width - 8, bottom: height - 40 };
	const x = scaleBand<string>()
		.domain(data.map((d) => d.label))
		.range([plot.left, plot.right])
		.padding(0.25);
	const max = Math.max(1, ...data.map((d) => d.value));
	const y = scaleLinear().domain([0, max]).nice().range([plot.bottom, plot.top]);
	return {
		viewBox: `0 0 ${width} ${height}`,
		width,
		height,
		orientation: 'vertical',
		plot,
		ticks: niceTicks(max).map((v) => ({ value: v, pos: Math.round(y(v)) })),
		bars: data.map((d) => {
			const bx = x(d.label) ?? 0;
			const by = y(d.value);
			return { label: d.label, value: d.value, x: Math.round(bx), y: Math.round(by), width: Math.round(x.bandwidth()), height: Math.round(plot.bottom - by), textX: Math.round(bx + x.bandwidth() / 2), textY: Math.round(by - 4) };
		})
	};
}

/** Horizontal bars (one row per category), e.g. members per Regierungsbezirk. */
export function horizontalBars(data: { label: string; value: number }[], width = 640, rowHeight = 34): BarChart {
	const labelWidth = 290;
	const height = data.length * rowHeight + 36;
	const plot = { left: labelWidth, top: 8, right: width - 40, bottom: height - 28 };
	const y = scaleBand<string>()
		.domain(data.map((d) => d.label))
		.range([plot.top, plot.bottom])
		.padding(0.2);
	const max = Math.max(1, ...data.map((d) => d.value));
	const x = scaleLinear().domain([0, max]).nice().range([plot.left, plot.right]);
	return {
		viewBox: `0 0 ${width} ${height}`,
		width,
		height,
		orientation: 'horizontal',
		plot,
		ticks: niceTicks(max).map((v) => ({ value: v, pos: Math.round(x(v)) })),
		bars: data.map((d) => {
			const by = y(d.label) ?? 0;
			const w = x(d.value) - plot.left;
			return { label: d.label, value: d.value, x: plot.left, y: Math.round(by), width: Math.round(w), height: Math.round(y.bandwidth()), textX: Math.round(plot.left + w + 6), textY: Math.round(by + y.bandwidth() / 2 + 5) };
		})
	};
}
