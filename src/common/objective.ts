/** What a mapper, a model's heads and a search minimise: energy-delay product, cycles, or energy (pJ). */
export type Objective = 'edp' | 'latency' | 'energy';

export const OBJECTIVES: readonly Objective[] = ['edp', 'latency', 'energy'];

/** The costs an objective reads: cycles, energy (pJ) and, when the evaluator reports it, area (mm²). */
export interface ObjectiveCosts {
  readonly cycles: number;
  readonly energy: number;
  readonly area?: number;
}

/**
 * What a search minimises: a cost-level `Objective`, `'edap'` (energy x cycles x area, pJ·cycles·mm²;
 * needs an evaluator that reports area), or your own function of the costs (network totals over the
 * target), which must give a positive finite number for every design (lower is better).
 */
export type SearchObjective = Objective | 'edap' | ((costs: ObjectiveCosts) => number);

/** The built-in names a search objective may take. */
export const SEARCH_OBJECTIVES: readonly (Objective | 'edap')[] = [...OBJECTIVES, 'edap'];

/** How a search result names its objective: the built-in name, or `'custom'` for a function. */
export type SearchObjectiveName = Objective | 'edap' | 'custom';

export function searchObjectiveName(objective: SearchObjective): SearchObjectiveName {
  return typeof objective === 'function' ? 'custom' : objective;
}

/**
 * The objective's value (lower is better) of a cost: cycles x energy, cycles, energy (pJ), energy x
 * cycles x area (NaN without area), or the custom function's value.
 */
export function objectiveValue(objective: SearchObjective, cost: ObjectiveCosts): number {
  if (typeof objective === 'function') return objective(cost);
  switch (objective) {
    case 'edp':
      return cost.cycles * cost.energy;
    case 'latency':
      return cost.cycles;
    case 'energy':
      return cost.energy;
    case 'edap':
      return cost.area === undefined ? Number.NaN : cost.energy * cost.cycles * cost.area;
  }
}
