/** Numbers as a person reads them: superscript powers of ten, SI prefixes for energy, separators for counts. */

const SUPERSCRIPT: Readonly<Record<string, string>> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

function superscript(n: number): string {
  return String(n)
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
}

/** `1.23×10¹⁶` beyond a million (or below 0.001), `12,345` or `0.123` otherwise. */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '–';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e6 || abs < 1e-3) {
    const exponent = Math.floor(Math.log10(abs));
    const mantissa = x / 10 ** exponent;
    const m = Number(mantissa.toPrecision(digits));
    // Rounding can carry the mantissa to 10.
    if (Math.abs(m) >= 10) return `${Number((m / 10).toPrecision(digits))}×10${superscript(exponent + 1)}`;
    return `${m}×10${superscript(exponent)}`;
  }
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(digits)));
}

/** Integer counts with separators: `1,048,576`. */
export function formatCount(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const ENERGY_UNITS = [
  [1e12, 'J'],
  [1e9, 'mJ'],
  [1e6, 'µJ'],
  [1e3, 'nJ'],
  [1, 'pJ'],
] as const;

/** Energy given in pJ, with the unit that keeps 1-3 digits before the point: `12.3 µJ`. */
export function formatEnergy(pJ: number): string {
  for (const [scale, unit] of ENERGY_UNITS) if (Math.abs(pJ) >= scale) return `${Number((pJ / scale).toPrecision(3))} ${unit}`;
  return `${Number(pJ.toPrecision(3))} pJ`;
}

/** Buffer sizes in words: `64`, `16 Ki`, `256 Ki`. */
export function formatWords(words: number): string {
  if (words >= 1024 && words % 1024 === 0) return `${words / 1024} Ki`;
  return formatCount(words);
}

/**
 * Tick labels of a log axis (Chart.js proposes many ticks per decade): only ticks at a whole multiple of a
 * power of ten are labelled; of those, 1, 2 and 5 times a power when there would be too many, and powers
 * of ten alone over many decades.
 */
export function logTickLabel(value: number, ticks: readonly { readonly value: number }[]): string {
  const split = (v: number) => {
    const exponent = Math.floor(Math.log10(v) + 1e-9);
    const mantissa = v / 10 ** exponent;
    return { exponent, mantissa, whole: Math.abs(mantissa - Math.round(mantissa)) < 1e-6 };
  };
  const values = ticks.map((t) => t.value).filter((v) => v > 0);
  const decades = Math.log10(Math.max(...values) / Math.min(...values));
  const whole = values.filter((v) => split(v).whole);
  const { exponent, mantissa, whole: isWhole } = split(value);
  const m = Math.round(mantissa);
  if (whole.length < 2) return formatNumber(value, 2);
  if (!isWhole) return '';
  if (decades > 3.5 ? m !== 1 : whole.length > 7 && ![1, 2, 5].includes(m)) return '';
  if (m === 1 && (exponent >= 4 || exponent <= -3)) return `10${superscript(exponent)}`;
  return formatNumber(m * 10 ** exponent, 1);
}
