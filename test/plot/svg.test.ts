import { logTicks, searchHistorySvg } from '../../src/plot/svg';

/** The y-axis labels of a history plot (tick labels are right-aligned text). */
function yLabels(svg: string): string[] {
  return [...svg.matchAll(/<text x="\d+" y="[\d.]+" font-size="11" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('searchHistorySvg', () => {
  it('labels a log axis at readable values (powers of ten, 1-2-5 steps), never fractional exponents', () => {
    const over = (lo: number, hi: number) => yLabels(searchHistorySvg([{ name: 'a', values: [hi, (hi + lo) / 2, lo] }]));
    expect(over(5e16, 4.7e17)).toEqual(['5e16', '1e17', '2e17']);
    expect(over(1e14, 3e19)).toEqual(['1e14', '1e15', '1e16', '1e17', '1e18', '1e19']);
    expect(over(1e10, 1e30)).toEqual(['1e12', '1e16', '1e20', '1e24', '1e28']);
    expect(over(2.1e16, 2.9e16)).toEqual(['2.2e16', '2.4e16', '2.6e16', '2.8e16']);
    for (const label of [...over(3.3e16, 4.1e17), ...over(7e12, 9e12)]) expect(label).toMatch(/^\d(\.\d{1,2})?e\d+$/);
  });

  it('widens the legend column for long method names instead of cutting them at 640 px', () => {
    const name = 'input-space random with a long label';
    const svg = searchHistorySvg([{ name, values: [3, 2, 1] }]);
    const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
    const x = Number(new RegExp(`<text x="([\\d.]+)"[^>]*>${name}</text>`).exec(svg)![1]);
    expect(x + 7 * name.length).toBeLessThanOrEqual(width);
    expect(Number(/<svg[^>]* width="(\d+)"/.exec(searchHistorySvg([{ name: 'bo', values: [1, 2] }]))![1])).toBe(640);
  });
});

describe('logTicks', () => {
  it('returns values inside the range', () => {
    for (const [lo, hi] of [[16.2, 17.9], [0, 0.1], [-3, 5], [12.01, 12.02]]) {
      const ticks = logTicks(lo, hi);
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      for (const v of ticks) expect(Math.log10(v)).toBeGreaterThanOrEqual(lo - 1e-9);
    }
  });
});
