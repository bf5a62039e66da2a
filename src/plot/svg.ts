/**
 * Small hand-written SVG charts (no browser, no dependency): search histories and a latent-space
 * slice. Pure functions from data to an SVG string; writing the file is the caller's business.
 */

export interface Series {
  readonly name: string;
  /** y value after each x = 1, 2, ...; non-finite values are skipped. */
  readonly values: readonly number[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const frame: Frame = { width: 640, height: 400, left: 70, right: 150, top: 30, bottom: 50 };

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * Ticks of a log10 axis spanning log values [lo, hi], as values: powers of ten (every k-th decade over
 * many decades), else 1-2-5 or 1..9 steps within the decades; a range inside one step falls back to
 * plain nice ticks of the values. Labels then read `2e16`, never `1e16.7`.
 */
export function logTicks(lo: number, hi: number, count = 6): number[] {
  const decades = hi - lo;
  const inRange = (v: number) => Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9;
  const first = Math.floor(lo);
  const last = Math.ceil(hi);
  if (decades >= 2) {
    const every = Math.max(1, Math.ceil(decades / count));
    const out: number[] = [];
    for (let d = Math.ceil(lo / every) * every; d <= hi + 1e-9; d += every) out.push(10 ** d);
    return out;
  }
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const out: number[] = [];
    for (let d = first; d <= last; d++) for (const m of mantissas) if (inRange(m * 10 ** d)) out.push(Number((m * 10 ** d).toPrecision(12)));
    if (out.length >= 2) return out;
  }
  return niceTicks(10 ** lo, 10 ** hi, count).filter((v) => v > 0);
}

/** A tick value as `2e16` (3 significant digits at most). */
function logTickLabel(v: number): string {
  const [mantissa, exponent] = v.toExponential(2).split('e');
  return `${mantissa.replace(/\.?0+$/, '')}e${Number(exponent)}`;
}

/**
 * Best objective vs evaluations, one line per method, log10 y axis (EDP spans decades).
 * `title` and `yLabel` are plain text.
 */
export function searchHistorySvg(series: readonly Series[], options: { title?: string; yLabel?: string } = {}): string {
  const points = series.map((s) => s.values.map((v, i) => [i + 1, v] as const).filter(([, v]) => Number.isFinite(v) && v > 0));
  const all = points.flat();
  if (all.length === 0) throw new RangeError('searchHistorySvg: no finite positive values to draw');
  const xMax = Math.max(...all.map(([x]) => x));
  const logs = all.map(([, v]) => Math.log10(v));
  let yLo = Math.min(...logs);
  let yHi = Math.max(...logs);
  if (yHi - yLo < 1e-6) {
    yLo -= 0.05;
    yHi += 0.05;
  }
  // The legend's column grows with the longest name (about 7 px per character at 12 px), so no name is cut.
  const longest = Math.max(...series.map((s) => s.name.length));
  const legendRight = Math.max(frame.right, 45 + Math.ceil(7 * longest));
  const f: Frame = { ...frame, right: legendRight, width: frame.width - frame.right + legendRight };
  const { width, height, left, right, top, bottom } = f;
  const px = (x: number) => left + ((x - 1) / Math.max(1, xMax - 1)) * (width - left - right);
  const py = (ly: number) => top + (1 - (ly - yLo) / (yHi - yLo)) * (height - top - bottom);
  const parts: string[] = [axes(options.title ?? 'Best objective vs evaluations', 'evaluations', options.yLabel ?? 'best EDP (log scale)', f)];
  for (const t of niceTicks(1, xMax, 8)) parts.push(tick(px(t), height - bottom, String(t), 'x'));
  for (const v of logTicks(yLo, yHi, 6)) parts.push(tick(left, py(Math.log10(v)), logTickLabel(v), 'y'));
  points.forEach((pts, i) => {
    const color = PALETTE[i % PALETTE.length];
    const d = pts.map(([x, v], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(Math.log10(v)).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<rect x="${width - right + 15}" y="${top + 20 * i}" width="12" height="12" fill="${color}"/>`);
    parts.push(`<text x="${width - right + 32}" y="${top + 20 * i + 11}" font-size="12">${escapeXml(series[i].name)}</text>`);
  });
  return svgDocument(parts, f);
}

/** A heat map of `values[row][col]` over the box [x0,x1] x [y0,y1] with a colour bar (low = dark blue, high = yellow). */
export function heatmapSvg(
  values: readonly (readonly number[])[],
  box: { readonly x: readonly [number, number]; readonly y: readonly [number, number] },
  options: { title?: string; xLabel?: string; yLabel?: string; valueLabel?: string } = {},
): string {
  const flat = values.flat().filter(Number.isFinite);
  if (flat.length === 0) throw new RangeError('heatmapSvg: no finite values');
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const { width, height, left, right, top, bottom } = frame;
  const rows = values.length;
  const cols = values[0].length;
  const cw = (width - left - right) / cols;
  const ch = (height - top - bottom) / rows;
  const parts: string[] = [axes(options.title ?? 'Latent slice', options.xLabel ?? 'z0', options.yLabel ?? 'z1')];
  values.forEach((row, r) =>
    row.forEach((v, c) => {
      const fill = Number.isFinite(v) ? colour((v - lo) / (hi - lo || 1)) : '#ffffff';
      parts.push(`<rect x="${(left + c * cw).toFixed(1)}" y="${(top + (rows - 1 - r) * ch).toFixed(1)}" width="${(cw + 0.5).toFixed(1)}" height="${(ch + 0.5).toFixed(1)}" fill="${fill}"/>`);
    }),
  );
  const fmt = (v: number) => Number(v.toPrecision(3)).toString();
  for (const t of niceTicks(box.x[0], box.x[1], 6)) parts.push(tick(left + ((t - box.x[0]) / (box.x[1] - box.x[0])) * (width - left - right), height - bottom, fmt(t), 'x'));
  for (const t of niceTicks(box.y[0], box.y[1], 6)) parts.push(tick(left, top + (1 - (t - box.y[0]) / (box.y[1] - box.y[0])) * (height - top - bottom), fmt(t), 'y'));
  const barX = width - right + 20;
  const barH = height - top - bottom;
  for (let i = 0; i < 50; i++) parts.push(`<rect x="${barX}" y="${(top + (barH * (49 - i)) / 50).toFixed(1)}" width="16" height="${(barH / 50 + 0.5).toFixed(1)}" fill="${colour(i / 49)}"/>`);
  parts.push(`<text x="${barX + 22}" y="${top + 10}" font-size="11">${fmt(hi)}</text>`);
  parts.push(`<text x="${barX + 22}" y="${top + barH}" font-size="11">${fmt(lo)}</text>`);
  parts.push(`<text x="${barX}" y="${top - 8}" font-size="11">${escapeXml(options.valueLabel ?? 'value')}</text>`);
  return svgDocument(parts);
}

/** A dark-blue -> teal -> yellow ramp (viridis-like) for t in [0, 1]. */
function colour(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function axes(title: string, xLabel: string, yLabel: string, f: Frame = frame): string {
  const { width, height, left, right, top, bottom } = f;
  return [
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${(left + width - right) / 2}" y="${top - 10}" font-size="14" text-anchor="middle">${escapeXml(title)}</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#000"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#000"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 10}" font-size="12" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="15" y="${(top + height - bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 15 ${(top + height - bottom) / 2})">${escapeXml(yLabel)}</text>`,
  ].join('');
}

function tick(x: number, y: number, label: string, axis: 'x' | 'y'): string {
  return axis === 'x'
    ? `<line x1="${x.toFixed(1)}" y1="${y}" x2="${x.toFixed(1)}" y2="${y + 5}" stroke="#000"/><text x="${x.toFixed(1)}" y="${y + 18}" font-size="11" text-anchor="middle">${escapeXml(label)}</text>`
    : `<line x1="${x - 5}" y1="${y.toFixed(1)}" x2="${x}" y2="${y.toFixed(1)}" stroke="#000"/><text x="${x - 8}" y="${(y + 4).toFixed(1)}" font-size="11" text-anchor="end">${escapeXml(label)}</text>`;
}

function svgDocument(parts: readonly string[], f: Frame = frame): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" font-family="sans-serif">${parts.join('')}</svg>\n`;
}
