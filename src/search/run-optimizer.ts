import type { Ledger } from './ledger';
import type { Optimizer, SearchDomain, Told } from './optimizer';

/** Runs an optimiser against the ledger until the budget is spent, the search stops, or it has nothing more to propose. */
export async function runOptimizer<P extends string>(optimizer: Optimizer, domain: SearchDomain<P>, ledger: Ledger<P>): Promise<void> {
  while (!ledger.done()) {
    const points = await optimizer.ask(ledger.remaining());
    if (points.length === 0) {
      ledger.exhaust();
      return;
    }
    const designs = domain.toDesigns(points);
    const told: Told[] = [];
    for (let i = 0; i < points.length && !ledger.done(); i++) {
      const outcome = await ledger.submit(designs[i], optimizer.predicted?.(points[i]));
      told.push(
        outcome.kind === 'rejected'
          ? { point: points[i], outcome: 'rejected', feasible: false }
          : {
              point: points[i],
              outcome: outcome.kind,
              feasible: outcome.design.feasible,
              cycles: outcome.design.cycles,
              energy: outcome.design.energy,
              objective: outcome.design.objective,
            },
      );
    }
    optimizer.tell(told);
  }
}
