/** `vaesa evaluate`: one design on a layer or network -> cycles, energy, area, EDP, mapping and per-level breakdown. */
import type { Command } from 'commander';
import type { Mapping } from '../costmodel';
import { evaluateNetwork, type LayerCost, type NetworkCost } from '../mapper';
import { LEVEL_NAMES } from '../costmodel/mapping';
import { layerName } from '../workload/layer';
import { archId } from '../hardware/arch';
import { addArchOptions, archFromFlags, type ArchFlags } from './arch';
import { parseChoice } from './errors';
import { formatNumber, printResult, table } from './output';
import { resolveWorkloads } from './targets';

interface EvaluateFlags extends ArchFlags {
  network?: string;
  layers?: string;
  model: 'pat' | 'accelergy';
  objective: 'edp' | 'latency' | 'energy';
  json?: boolean;
  details?: boolean;
}

export function registerEvaluateCommand(program: Command): Command {
  const cmd = program
    .command('evaluate')
    .description('cost of a design on a layer or network: cycles, energy (pJ), area (mm²), EDP, mapping, per-level breakdown')
    .option('--network <names>', 'built-in network(s), comma-separated: alexnet, resnet50, resnext50_32x4d, deepbench, vgg16')
    .option('--layers <file>', 'layers file: VAESA workload JSON, CoSA problem YAML, our JSON, or a CoSA network folder')
    .option('--model <setup>', 'energy setup: pat (VAESA) or accelergy', parseChoice('--model', ['pat', 'accelergy'] as const), 'pat')
    .option('--objective <obj>', 'what the mapper minimises', parseChoice('--objective', ['edp', 'latency', 'energy'] as const), 'edp')
    .option('--details', 'print every layer\'s mapping and per-level breakdown')
    .option('--json', 'print the result as JSON');
  addArchOptions(cmd).action(async (o: EvaluateFlags) => {
    const arch = archFromFlags(o);
    const networks = await resolveWorkloads({ network: o.network, layers: o.layers });
    const results = networks.map((n) => evaluateNetwork(arch, n, { model: o.model, objective: o.objective }));
    printResult(o.json, { arch, archId: archId(arch), model: o.model, objective: o.objective, networks: results }, () =>
      results.flatMap((r) => formatNetwork(r, o.details === true)),
    );
  });
  return cmd;
}

function formatNetwork(r: NetworkCost, details: boolean): string[] {
  const lines = [
    `${r.name}: cycles ${formatNumber(r.cycles)}, energy ${formatNumber(r.energy)} pJ, area ${formatNumber(r.area)} mm², EDP ${formatNumber(r.edp)}`,
    ...table(
      ['layer', 'count', 'cycles', 'energy (pJ)', 'EDP'],
      r.layers.map((l) => [layerName(l.layer), String(l.count), formatNumber(l.cost.cycles), formatNumber(l.cost.energy), formatNumber(l.cost.edp)]),
    ),
  ];
  if (details) for (const l of r.layers) lines.push('', `layer ${layerName(l.layer)}:`, ...formatMapping(l.cost.mapping), ...formatBreakdown(l.cost));
  return lines;
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
