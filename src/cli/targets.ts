/** Resolves the workload flags shared by several commands: built-in network names and layer files. */
import { getNetwork, type Network } from '../workload';
import { readWorkloadFile } from '../workload/files';
import { CliError, orFail } from './errors';

/** Comma-separated built-in network names (`resnet50,alexnet`). */
export function networksByName(list: string): Network[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new CliError('--networks needs at least one network name');
  return names.map((n) => orFail(getNetwork(n)));
}

/** A workload file (VAESA JSON, CoSA/Timeloop problem YAML, our JSON) or a CoSA network folder. */
export async function networkFromFile(file: string): Promise<Network> {
  return orFail(await readWorkloadFile(file));
}

/** The networks named by `--network(s)` and/or `--layers`; at least one must be given. */
export async function resolveWorkloads(opts: { networks?: string; network?: string; layers?: string }): Promise<Network[]> {
  const out: Network[] = [];
  const names = [opts.networks, opts.network].filter((s): s is string => s !== undefined).join(',');
  if (names !== '') out.push(...networksByName(names));
  if (opts.layers !== undefined) out.push(await networkFromFile(opts.layers));
  if (out.length === 0) throw new CliError('give a workload: --network <name> (built-in) or --layers <file>');
  return out;
}

export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || !(count >= 1 && index < count)) throw new CliError(`--shard must be i/n with 0 <= i < n, got "${value}"`);
  return { index, count };
}
