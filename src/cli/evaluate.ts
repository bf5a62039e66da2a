/** `vaesa evaluate`: one design on a layer or network -> cycles, energy, area, EDP, mapping and per-level breakdown. */
import type { Command } from 'commander';
import * as E from 'fp-ts/Either';
import { eyerissArch, gemminiArch, type ArchSpec, type Mapping } from '../costmodel';
import { evaluateNetwork, type ArchNetworkCost, type LayerCost, type NetworkCost } from '../mapper';
import { LEVEL_NAMES } from '../costmodel/mapping';
import { layerName } from '../workload/layer';
import { isProblem, layerKey, layerLabel, lowerToConvLayers } from '../workload/lower';
import type { Network, SkippedOps } from '../workload';
import { archId } from '../hardware/arch';
import { addArchOptions, archFromFlags, type ArchFlags } from './arch';
import { CliError, orFail, parseChoice } from './errors';
import { formatNumber, printResult, table } from './output';
import { NETWORK_NAMES_HELP, ONNX_DIMS_HELP, ONNX_HELP, resolveWorkloadsWithSkipped } from './targets';

interface EvaluateFlags extends ArchFlags {
  network?: string;
  layers?: string;
  onnx?: string;
  onnxDims?: string;
  model: 'pat' | 'accelergy';
  objective: 'edp' | 'latency' | 'energy';
  accelerator: 'simba' | 'eyeriss' | 'gemmini';
  json?: boolean;
  details?: boolean;
}

/** The accelerator families `--accelerator` takes besides Simba, at their default sizes, with pat energies. */
const FAMILIES: Record<'eyeriss' | 'gemmini', () => ArchSpec> = {
  eyeriss: () => orFail(eyerissArch()),
  gemmini: () => orFail(gemminiArch()),
};

export function registerEvaluateCommand(program: Command): Command {
  const cmd = program
    .command('evaluate')
    .description('cost of a design on a layer or network: cycles, energy (pJ), area (mm²), EDP, mapping, per-level breakdown')
    .option('--network <names>', `built-in network(s), comma-separated: ${NETWORK_NAMES_HELP}`)
    .option('--layers <file>', 'layers file: VAESA workload JSON, CoSA problem YAML, our JSON, or a CoSA network folder')
    .option('--onnx <file>', ONNX_HELP)
    .option('--onnx-dims <name=value,...>', ONNX_DIMS_HELP)
    .option('--model <setup>', 'energy setup: pat (VAESA) or accelergy', parseChoice('--model', ['pat', 'accelergy'] as const), 'pat')
    .option('--objective <obj>', 'what the mapper minimises', parseChoice('--objective', ['edp', 'latency', 'energy'] as const), 'edp')
    .option(
      '--accelerator <name>',
      'simba (the six-parameter design of the flags below), or eyeriss / gemmini at their default sizes, costed by the generic mapper with every layer shape native',
      parseChoice('--accelerator', ['simba', 'eyeriss', 'gemmini'] as const),
      'simba',
    )
    .option('--details', 'print every layer\'s mapping and per-level breakdown (Simba)')
    .option('--json', 'print the result as JSON');
  addArchOptions(cmd).action(async (o: EvaluateFlags) => {
    const { networks, skipped } = await resolveWorkloadsWithSkipped({ network: o.network, layers: o.layers, onnx: o.onnx, onnxDims: o.onnxDims });
    const notCosted = (name: string) => skipped.filter((s) => s.network === name).map((s) => formatSkipped(s.ops));
    if (o.accelerator !== 'simba') {
      if (o.model !== 'pat') throw new CliError(`--model ${o.model} needs energy tables; --accelerator ${o.accelerator} is costed with pat energies`);
      if (o.details === true) throw new CliError('--details prints Simba\'s mapping; it is not available with --accelerator ' + o.accelerator);
      const spec = FAMILIES[o.accelerator]();
      const costs = networks.map((n) => orFail(evaluateNetwork(spec, n, { objective: o.objective })));
      printResult(o.json, { accelerator: o.accelerator, arch: spec, objective: o.objective, networks: costs, notCosted: skipped }, () =>
        costs.flatMap((r) => [...formatArchNetwork(r), ...notCosted(r.name)]),
      );
      return;
    }
    const arch = archFromFlags(o);
    const results = networks.map((n) => orFail(evaluateNetwork(arch, n, { model: o.model, objective: o.objective })));
    printResult(o.json, { arch, archId: archId(arch), model: o.model, objective: o.objective, networks: results, notCosted: skipped }, () =>
      results.flatMap((r, i) => [...formatNetwork(r, networks[i], o.details === true), ...notCosted(networks[i].name)]),
    );
  });
  return cmd;
}

/**
 * The network's totals and one row per layer of the network as given. A layer Simba's template costs
 * as convolutions (a GEMM, groups, batches) shows its cost per occurrence summed over those
 * convolutions, and what it was costed as.
 */
function formatNetwork(r: NetworkCost, network: Network, details: boolean): string[] {
  const costOf = new Map(r.layers.map((l) => [layerKey(l.layer), l.cost]));
  const lowered = network.layers.some((e) => isProblem(e.layer));
  const rows = network.layers.map(({ layer, count }) => {
    const parts = lowerToConvLayers(layer);
    // evaluateNetwork has lowered every layer already, so every part has a cost.
    const partList = E.isRight(parts) ? parts.right : [];
    let cycles = 0;
    let energy = 0;
    for (const p of partList) {
      const c = costOf.get(layerKey(p.layer));
      cycles += p.count * (c?.cycles ?? Number.NaN);
      energy += p.count * (c?.energy ?? Number.NaN);
    }
    const costedAs = partList.map((p) => `${p.count === 1 ? '' : `${p.count} x `}${layerName(p.layer)}`).join(' + ');
    const row = [layerLabel(layer), String(count), formatNumber(cycles), formatNumber(energy), formatNumber(cycles * energy)];
    return lowered ? [...row, costedAs] : row;
  });
  const lines = [
    `${r.name}: cycles ${formatNumber(r.cycles)}, energy ${formatNumber(r.energy)} pJ, area ${formatNumber(r.area)} mm², EDP ${formatNumber(r.edp)}`,
    ...table(['layer', 'count', 'cycles', 'energy (pJ)', 'EDP', ...(lowered ? ['costed on Simba as'] : [])], rows),
  ];
  if (details) for (const l of r.layers) lines.push('', `layer ${layerName(l.layer)}:`, ...formatMapping(l.cost.mapping), ...formatBreakdown(l.cost));
  return lines;
}

/** A network costed on an `ArchSpec`: every layer as it is (no lowering). */
function formatArchNetwork(r: ArchNetworkCost): string[] {
  return [
    `${r.name}: cycles ${formatNumber(r.cycles)}, energy ${formatNumber(r.energy)} pJ, area ${formatNumber(r.area)} mm², EDP ${formatNumber(r.edp)}`,
    ...table(
      ['layer', 'count', 'cycles', 'energy (pJ)', 'EDP'],
      r.layers.map((l) => [layerLabel(l.layer), String(l.count), formatNumber(l.cost.cycles), formatNumber(l.cost.energy), formatNumber(l.cost.edp)]),
    ),
  ];
}

function formatSkipped(ops: readonly SkippedOps[]): string {
  return `not costed (${ops.reduce((s, o) => s + o.count, 0)} nodes): ${ops.map((o) => `${o.opType} ${o.count}`).join(', ')}`;
}

/** The loop nest, outer to inner, as Timeloop prints it: temporal loops then the level's spatial fan-out. */
export function formatMapping(mapping: Mapping): string[] {
  const lines: string[] = [];
  let indent = '';
  for (let li = mapping.levels.length - 1; li >= 0; li--) {
    const level = mapping.levels[li];
    lines.push(`${indent}${LEVEL_NAMES[li]}`);
    const loops = (order: readonly string[], factors: Readonly<Record<string, number>>, kind: string) =>
      [...order].reverse().filter((d) => factors[d] > 1).map((d) => `${indent}  for ${d} in [0:${factors[d]})${kind}`);
    lines.push(...loops(level.permutation, level.temporal, ''));
    lines.push(...loops(level.spatialPermutation, level.spatial, ' (spatial)'));
    indent += '  ';
  }
  return lines;
}

function formatBreakdown(cost: LayerCost): string[] {
  const rows: string[][] = [];
  cost.breakdown.levels.forEach((lv) => {
    for (const [tensor, a] of Object.entries(lv.tensors)) {
      if (!a.keep) continue;
      rows.push([lv.level, tensor, formatNumber(a.utilizedCapacity), String(a.utilizedInstances), formatNumber(a.reads), formatNumber(a.fills), formatNumber(a.updates), formatNumber(a.energy)]);
    }
  });
  return table(['level', 'tensor', 'tile (words)', 'instances', 'reads', 'fills', 'updates', 'energy (pJ)'], rows);
}
