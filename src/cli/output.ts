/** Printing results: JSON on stdout with --json, human-readable lines otherwise. */
export function printResult(json: boolean | undefined, value: unknown, human: () => readonly string[]): void {
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(`${human().join('\n')}\n`);
}

/** A fixed-width text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** A number in engineering style for tables: 3 significant digits with an exponent when large. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e6 || (Math.abs(x) < 1e-2 && x !== 0)) return x.toExponential(3);
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** A design as its named parameters, `meshX=16 macs=1024 ...`, in the space's order. */
export function formatDesign(design: Readonly<Record<string, number>>): string {
  return Object.entries(design)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

/** What the parameters of a Simba design mean, printed under tables of designs. */
export const SIMBA_PARAMS_NOTE =
  "Simba designs: meshX = PE columns, macs = MAC units in total, accumulationBuffer, weightBuffer and inputBuffer = entries per PE's buffer, globalBuffer = entries of the shared buffer";
