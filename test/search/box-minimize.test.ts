import { boxMinimize, projectToBox } from '../../src/search/box-minimize';

describe('boxMinimize', () => {
  it('finds an interior minimum of a quadratic', () => {
    const f = (x: readonly number[]) => ({
      value: (x[0] - 0.3) ** 2 + 10 * (x[1] + 0.2) ** 2,
      gradient: [2 * (x[0] - 0.3), 20 * (x[1] + 0.2)],
    });
    const r = boxMinimize(f, [0.9, 0.9], [-1, -1], [1, 1]);
    expect(r.x[0]).toBeCloseTo(0.3, 5);
    expect(r.x[1]).toBeCloseTo(-0.2, 5);
  });

  it('stops on the boundary when the unconstrained minimum is outside the box', () => {
    const f = (x: readonly number[]) => ({ value: (x[0] - 3) ** 2 + (x[1] + 0.5) ** 2, gradient: [2 * (x[0] - 3), 2 * (x[1] + 0.5)] });
    const r = boxMinimize(f, [0, 0], [-1, -1], [1, 1]);
    expect(r.x[0]).toBe(1);
    expect(r.x[1]).toBeCloseTo(-0.5, 5);
    expect(r.value).toBeCloseTo(4, 8);
  });

  it('minimises the Rosenbrock function in a box', () => {
    const f = (x: readonly number[]) => ({
      value: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
      gradient: [-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)],
    });
    const r = boxMinimize(f, [-1.2, 1], [-2, -2], [2, 2], { maxIterations: 2000, tolerance: 1e-10 });
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });

  it('never returns a worse value than the projected start, and stays in the box', () => {
    const f = (x: readonly number[]) => ({ value: Math.sin(5 * x[0]) + x[0] ** 2, gradient: [5 * Math.cos(5 * x[0]) + 2 * x[0]] });
    for (const s of [-3, -0.4, 0, 0.7, 5]) {
      const start = projectToBox([s], [-2], [2]);
      const r = boxMinimize(f, [s], [-2], [2]);
      expect(r.value).toBeLessThanOrEqual(f(start).value);
      expect(r.x[0]).toBeGreaterThanOrEqual(-2);
      expect(r.x[0]).toBeLessThanOrEqual(2);
    }
  });
});
