/**
 * The page's charts, drawn by Chart.js (canvas, log axes, legends and tooltips built in; see docs/browser.md
 * for why it and not the library's own SVG plots). Each function makes one kind of chart and returns it;
 * the page updates its data in place while a worker reports progress.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { formatNumber, logTickLabel } from './format';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#374151';
Chart.defaults.animation = false;

/** Shows the chart's canvas (and hides its placeholder) once it has data. */
function markData(chart: { canvas: HTMLCanvasElement; data: { datasets: { data: unknown[] }[] } }): void {
  chart.canvas.parentElement?.classList.toggle('has-data', chart.data.datasets.some((d) => d.data.length > 0));
}

/** Colour-blind-safe palette (Okabe-Ito). */
export const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

function axisTitle(text: string) {
  return { display: true, text, font: { weight: 'bold' as const } };
}

function logAxis(title: string) {
  return {
    type: 'logarithmic' as const,
    title: axisTitle(title),
    ticks: { autoSkip: true, autoSkipPadding: 8, maxRotation: 0, callback: (value: number | string, _index: number, ticks: { value: number }[]) => logTickLabel(Number(value), ticks) },
    grid: { color: (ctx: { tick?: { value: number } }) => (ctx.tick !== undefined && Number.isInteger(Math.log10(ctx.tick.value) + 1e-12) ? '#d1d5db' : '#f1f2f4') },
  };
}

function linearAxis(title: string, integer = false) {
  return { type: 'linear' as const, title: axisTitle(title), ticks: integer ? { precision: 0 } : { callback: (v: number | string) => formatNumber(Number(v)) } };
}

const legend = { position: 'bottom' as const, labels: { boxWidth: 14, boxHeight: 14, padding: 14 } };
/** Line charts' legends show a short line in the series' style. */
const lineLegend = { position: 'bottom' as const, labels: { usePointStyle: true, pointStyle: 'line' as const, pointStyleWidth: 28, padding: 14 } };

/** Grouped bars on a log axis: one group per category (storage level), one bar per series (tensor). */
export function barChart(canvas: HTMLCanvasElement, yTitle: string): Chart<'bar'> {
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      maintainAspectRatio: false,
      scales: { x: { type: 'category', grid: { display: false } }, y: logAxis(yTitle) },
      plugins: { legend, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatNumber(c.parsed.y ?? 0)}` } } },
    },
  });
}

export function setBars(chart: Chart<'bar'>, labels: readonly string[], series: readonly { label: string; values: readonly (number | null)[] }[]): void {
  chart.data.labels = [...labels];
  chart.data.datasets = series.map((s, i) => ({ label: s.label, data: [...s.values], backgroundColor: COLOURS[i % COLOURS.length], borderRadius: 2 }));
  markData(chart);
  chart.update();
}

/** Lines over an integer x (epochs, evaluations) with a log y. `step` draws best-so-far staircases. */
export function lineChart(canvas: HTMLCanvasElement, xTitle: string, yTitle: string, options: { step?: boolean } = {}): Chart<'line', { x: number; y: number }[]> {
  return new Chart<'line', { x: number; y: number }[]>(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      maintainAspectRatio: false,
      parsing: false,
      scales: { x: linearAxis(xTitle, true), y: logAxis(yTitle) },
      elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 2, stepped: options.step === true ? 'before' : false } },
      interaction: { mode: 'nearest', intersect: false },
      plugins: { legend: lineLegend, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatNumber(c.parsed.y ?? 0)}` } } },
    },
  });
}

/** Sets (or adds) the series named `label`, keeping each series' colour by its first appearance. */
export function setLine(chart: Chart<'line', { x: number; y: number }[]>, label: string, points: { x: number; y: number }[], colour: string, dashed = false): void {
  const existing = chart.data.datasets.find((d) => d.label === label);
  if (existing !== undefined) existing.data = points;
  else chart.data.datasets.push({ label, data: points, borderColor: colour, backgroundColor: colour, borderDash: dashed ? [6, 4] : [] });
  markData(chart);
  chart.update();
}

export interface ScatterSeries {
  readonly label: string;
  readonly points: readonly { x: number; y: number }[];
  readonly colour: string;
  /** Drawn as a line through its points (the Pareto front), on top of the clouds. */
  readonly front?: boolean;
}

/** Scatter on log-log axes (cycles vs energy). */
export function scatterChart(canvas: HTMLCanvasElement, xTitle: string, yTitle: string): Chart<'scatter', { x: number; y: number }[]> {
  return new Chart<'scatter', { x: number; y: number }[]>(canvas, {
    type: 'scatter',
    data: { datasets: [] },
    options: {
      maintainAspectRatio: false,
      parsing: false,
      scales: { x: logAxis(xTitle), y: logAxis(yTitle) },
      plugins: {
        legend,
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatNumber(c.parsed.x ?? 0)} cycles, ${formatNumber(c.parsed.y ?? 0)} pJ` } },
      },
    },
  });
}

export function setScatter(chart: Chart<'scatter', { x: number; y: number }[]>, series: readonly ScatterSeries[]): void {
  const datasets: ChartDataset<'scatter', { x: number; y: number }[]>[] = series.map((s) =>
    s.front === true
      ? { label: s.label, data: [...s.points], showLine: true, borderColor: s.colour, backgroundColor: s.colour, pointRadius: 5, borderWidth: 2, order: 0 }
      : { label: s.label, data: [...s.points], borderColor: s.colour, backgroundColor: `${s.colour}99`, pointRadius: 3, order: 1 },
  );
  chart.data.datasets = datasets;
  markData(chart);
  chart.update();
}

/** Empties a chart (back to its placeholder). */
export function clearChart(chart: { canvas: HTMLCanvasElement; data: { datasets: { data: unknown[] }[] }; update(): void }): void {
  chart.data.datasets = [];
  markData(chart);
  chart.update();
}

export type { Chart };
