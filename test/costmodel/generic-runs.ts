/**
 * Reads Timeloop's runs on the generic architecture families (`../shared/reference/timeloop-generic`)
 * for tests and the generic cost-model bench. I/O lives here, not in src/.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { REFERENCE_DIR } from './reference-runs';

export const GENERIC_DIR = path.join(REFERENCE_DIR, 'timeloop-generic');
export const GENERIC_FAMILIES = ['eyeriss', 'gemmini', 'simple_os_2level', 'simple_os_3level'] as const;
export type GenericFamily = (typeof GENERIC_FAMILIES)[number];

/** Timeloop's per level, per data space numbers of one run. */
export interface GenericTensorStats {
  readonly keep: number;
  readonly utilized_capacity: number;
  readonly utilized_instances: number;
  readonly utilized_clusters: number;
  readonly reads: number;
  readonly updates: number;
  readonly fills: number;
  readonly energy_total: number;
}

export interface GenericRun {
  readonly id: number;
  readonly arch_family: GenericFamily;
  readonly variant: string;
  readonly energy_model: 'pat' | 'accelergy';
  readonly arch_yaml: string;
  readonly problem: { readonly name: string; readonly kind: string; readonly problem_yaml: string };
  readonly mapping_gen: string;
  readonly map_yaml: string;
  readonly cycles: number;
  readonly energy_pJ_sum: number;
  readonly ert_file?: string;
  readonly levels: Readonly<Record<string, unknown>>;
}

export interface RejectedRun {
  readonly variant: string;
  /** The problem's name: its file is `arch/problems/<problem>.yaml`. */
  readonly problem: string;
  readonly map_yaml: string;
  readonly reason: string;
}

export function genericRunsAvailable(): boolean {
  return fs.existsSync(path.join(GENERIC_DIR, 'eyeriss.jsonl.gz'));
}

function readJsonl<T>(file: string): T[] {
  return zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Accepted runs of a family: `pat` (flat arch files) or `accelergy` (v0.3 files + ERT). */
export function loadGenericRuns(family: GenericFamily, model: 'pat' | 'accelergy'): GenericRun[] {
  return readJsonl<GenericRun>(path.join(GENERIC_DIR, `${family}${model === 'pat' ? '' : '.accelergy'}.jsonl.gz`));
}

/** The mappings Timeloop refused on a family (their arch is `arch/<variant>.yaml`, their problem `arch/problems/<problem>.yaml`). */
export function loadRejectedRuns(family: GenericFamily): RejectedRun[] {
  return readJsonl<RejectedRun>(path.join(GENERIC_DIR, `${family}.rejected.jsonl.gz`));
}

/** A file under `arch/`: `<variant>.yaml`, `<variant>.v3.yaml`, `ert/<variant>.ERT_v2.yaml`, `problems/<name>.yaml`. */
export function readGenericArchFile(name: string): string {
  return fs.readFileSync(path.join(GENERIC_DIR, 'arch', name), 'utf8');
}
