/**
 * Reads the reference's Timeloop runs (`../shared/reference/timeloop-mappings/<setup>/mappings.jsonl.gz`)
 * for tests and the cost-model bench. I/O lives here, not in src/.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as E from 'fp-ts/Either';
import type { ArchConfig } from '../../src/hardware/arch';
import { convLayer, type ConvLayer } from '../../src/workload/layer';
import { simbaMappingFromRecord } from '../../src/costmodel/timeloop-mapping';
import type { Mapping } from '../../src/costmodel/mapping';
import type { CostModelName, TensorName } from '../../src/costmodel/cost';

export const REFERENCE_DIR = path.resolve(__dirname, '../../../shared/reference');

/** Timeloop's per level, per tensor numbers of one run. */
export interface ReferenceTensor {
  readonly reads: number;
  readonly updates: number;
  readonly fills: number;
  readonly utilized_capacity: number;
  readonly utilized_instances: number;
  readonly utilized_clusters: number;
  readonly energy_total: number;
}

export interface ReferenceRun {
  readonly id: number;
  readonly arch: ArchConfig;
  readonly layer: ConvLayer;
  readonly mapping: Mapping;
  readonly cycles: number;
  readonly energy: number;
  readonly levels: Readonly<Record<string, Readonly<Record<TensorName, ReferenceTensor>>>>;
}

interface RawRun {
  id: number;
  rc: number;
  ok?: boolean;
  arch: { meshX: number; macs: number; acc: number; wb: number; ib: number; gb: number };
  layer: { R: number; S: number; P: number; Q: number; C: number; K: number; N: number; Wstride: number; Hstride: number; Wdilation: number; Hdilation: number };
  mapping: unknown;
  cycles: number;
  energy_pJ: number;
  levels: Record<string, Record<TensorName, ReferenceTensor>>;
}

export function referenceRunsAvailable(setup: CostModelName): boolean {
  return fs.existsSync(path.join(REFERENCE_DIR, 'timeloop-mappings', setup, 'mappings.jsonl.gz'));
}

/** All successful runs of a setup, or every `stride`-th one (a deterministic sample). */
export function loadReferenceRuns(setup: CostModelName, stride = 1): ReferenceRun[] {
  return parseRuns(path.join(REFERENCE_DIR, 'timeloop-mappings', setup, 'mappings.jsonl.gz'), stride);
}

/**
 * The few dozen runs kept in test/costmodel/fixtures (made by scripts/extract-replay-fixture.ts from the
 * reference), so the replay of Timeloop runs is checked even without ../shared/reference.
 */
export function loadFixtureRuns(setup: CostModelName): ReferenceRun[] {
  return parseRuns(path.join(__dirname, 'fixtures', `timeloop-runs-${setup}.jsonl.gz`), 1);
}

function parseRuns(file: string, stride: number): ReferenceRun[] {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n');
  const runs: ReferenceRun[] = [];
  let index = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (index++ % stride !== 0) continue;
    const raw = JSON.parse(line) as RawRun;
    if (raw.rc !== 0 || raw.ok === false) continue;
    const arch: ArchConfig = {
      meshX: raw.arch.meshX,
      macs: raw.arch.macs,
      accumulationBuffer: raw.arch.acc,
      weightBuffer: raw.arch.wb,
      inputBuffer: raw.arch.ib,
      globalBuffer: raw.arch.gb,
    };
    const l = raw.layer;
    const layer = convLayer({ R: l.R, S: l.S, P: l.P, Q: l.Q, C: l.C, K: l.K, N: l.N, strideW: l.Wstride, strideH: l.Hstride, dilationW: l.Wdilation, dilationH: l.Hdilation });
    const mapping = simbaMappingFromRecord(raw.mapping, arch, layer);
    if (E.isLeft(mapping)) throw new Error(`reference run ${raw.id}: ${JSON.stringify(mapping.left)}`);
    runs.push({ id: raw.id, arch, layer, mapping: mapping.right, cycles: raw.cycles, energy: raw.energy_pJ, levels: raw.levels });
  }
  return runs;
}
