/** The `--arch` flags shared by evaluate and search: a JSON value or file, and per-parameter overrides. */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseArch, simbaDefaultArch, simbaSpace, type ArchConfig, type DesignSpace, type ParamName } from '../hardware';
import { CliError, orFail, parsePositiveInt } from './errors';

export interface ArchFlags {
  arch?: string;
  meshX?: number;
  macs?: number;
  acc?: number;
  wb?: number;
  ib?: number;
  gb?: number;
}

export function addArchOptions(cmd: Command): Command {
  return cmd
    .option('--arch <json|file>', 'design as JSON ({"meshX":16,"macs":1024,...}) or a JSON file; default: Simba')
    .option('--mesh-x <n>', 'PE array width', parsePositiveInt('--mesh-x'))
    .option('--macs <n>', 'total MACs', parsePositiveInt('--macs'))
    .option('--acc <n>', 'AccumulationBuffer entries', parsePositiveInt('--acc'))
    .option('--wb <n>', 'WeightBuffer entries', parsePositiveInt('--wb'))
    .option('--ib <n>', 'InputBuffer entries', parsePositiveInt('--ib'))
    .option('--gb <n>', 'GlobalBuffer entries', parsePositiveInt('--gb'));
}

/** The design the flags describe (Simba's default, then --arch, then per-parameter flags), validated against `space`. */
export function archFromFlags(flags: ArchFlags, space: DesignSpace<ParamName> = simbaSpace): ArchConfig {
  let base: unknown = simbaDefaultArch;
  if (flags.arch !== undefined) {
    const text = flags.arch.trim().startsWith('{') ? flags.arch : existsSync(flags.arch) ? readFileSync(flags.arch, 'utf8') : undefined;
    if (text === undefined) throw new CliError(`--arch: "${flags.arch}" is neither JSON nor an existing file`);
    try {
      base = JSON.parse(text);
    } catch (e) {
      throw new CliError(`--arch: not valid JSON (${(e as Error).message})`);
    }
  }
  const overrides = {
    meshX: flags.meshX,
    macs: flags.macs,
    accumulationBuffer: flags.acc,
    weightBuffer: flags.wb,
    inputBuffer: flags.ib,
    globalBuffer: flags.gb,
  };
  const merged = { ...(base as object), ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  return orFail(parseArch(space, merged, 'arch'));
}
