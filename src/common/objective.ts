/** What a mapper, a model's heads and a search minimise: energy-delay product, cycles, or energy (pJ). */
export type Objective = 'edp' | 'latency' | 'energy';

export const OBJECTIVES: readonly Objective[] = ['edp', 'latency', 'energy'];

/** The objective's value (lower is better) of a cost: cycles x energy, cycles, or energy (pJ). */
export function objectiveValue(objective: Objective, cost: { readonly cycles: number; readonly energy: number }): number {
  switch (objective) {
    case 'edp':
      return cost.cycles * cost.energy;
    case 'latency':
      return cost.cycles;
    case 'energy':
      return cost.energy;
  }
}
