/** Resolves the workload flags shared by several commands: built-in network names, layer files and ONNX models. */
import { getNetwork, networks, type Network, type SkippedOps } from '../workload';
import { readOnnxFile, readWorkloadFile } from '../workload/files';
import { CliError, orFail } from './errors';

/** Help text of `--network(s)`: the built-in names. */
export const NETWORK_NAMES_HELP = Object.keys(networks).join(', ');

/** Help text of `--onnx` and `--onnx-dims`. */
export const ONNX_HELP = 'ONNX model: its Conv, Gemm and MatMul nodes are the layers (other operators are listed, not costed)';
export const ONNX_DIMS_HELP = 'values of the ONNX model\'s dynamic input dimensions, e.g. batch=1,sequence=128';

/** `name=value,name=value` -> values by name. */
export function parseOnnxDims(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([^=]+)=(\d+)$/.exec(part);
    if (!m || Number(m[2]) < 1) throw new CliError(`--onnx-dims takes name=value pairs with positive integer values, got "${part}"`);
    out[m[1].trim()] = Number(m[2]);
  }
  return out;
}

/** The workload flags of a command. */
export interface WorkloadFlags {
  readonly networks?: string;
  readonly network?: string;
  readonly layers?: string;
  readonly onnx?: string;
  readonly onnxDims?: string;
}

/** Networks resolved from the flags, with the operators each ONNX model had that are not costed. */
export interface ResolvedWorkloads {
  readonly networks: Network[];
  readonly skipped: { readonly network: string; readonly ops: readonly SkippedOps[] }[];
}

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

/** The networks named by `--network(s)`, `--layers` and/or `--onnx`; at least one must be given. */
export async function resolveWorkloads(opts: WorkloadFlags): Promise<Network[]> {
  return (await resolveWorkloadsWithSkipped(opts)).networks;
}

/** `resolveWorkloads` with what each ONNX model had that is not costed. */
export async function resolveWorkloadsWithSkipped(opts: WorkloadFlags): Promise<ResolvedWorkloads> {
  const out: Network[] = [];
  const skipped: ResolvedWorkloads['skipped'] = [];
  const names = [opts.networks, opts.network].filter((s): s is string => s !== undefined).join(',');
  if (names !== '') out.push(...networksByName(names));
  if (opts.layers !== undefined) out.push(await networkFromFile(opts.layers));
  if (opts.onnx !== undefined) {
    const imported = orFail(await readOnnxFile(opts.onnx, { dimensions: opts.onnxDims === undefined ? {} : parseOnnxDims(opts.onnxDims) }));
    out.push(imported.network);
    skipped.push({ network: imported.network.name, ops: imported.skipped });
  } else if (opts.onnxDims !== undefined) {
    throw new CliError('--onnx-dims needs --onnx <file>');
  }
  if (out.length === 0) throw new CliError('give a workload: --network <name> (built-in), --layers <file> or --onnx <model.onnx>');
  return { networks: out, skipped };
}

export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || !(count >= 1 && index < count)) throw new CliError(`--shard must be i/n with 0 <= i < n, got "${value}"`);
  return { index, count };
}
