/**
 * Messages between the page (main.ts) and its worker (worker.ts). Everything here is plain data, so it
 * crosses `postMessage` by structured clone.
 */
import type { ArchConfig, BestDesign, ConvLayer, ConvNetwork, CostBreakdown, SimbaMapping, VaesaEvaluation } from 'vaesa';

export type MapperEffort = 'fast' | 'default';

/** The search methods the page compares: two in VAESA's latent space, two baselines in the design space. */
export const SEARCH_METHODS = ['latent-bo', 'latent-gradient', 'input-random', 'input-bo'] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

export type Request =
  | { readonly kind: 'backend' }
  | { readonly kind: 'evaluate'; readonly arch: ArchConfig; readonly network: ConvNetwork; readonly effort: MapperEffort }
  | { readonly kind: 'dataset'; readonly network: ConvNetwork; readonly designs: number; readonly seed: number; readonly effort: MapperEffort }
  | { readonly kind: 'load-csv'; readonly name: string; readonly text: string }
  | { readonly kind: 'train'; readonly epochs: number; readonly seed: number }
  | { readonly kind: 'save-model' }
  | { readonly kind: 'load-model'; readonly modelJson: string; readonly weights: ArrayBuffer }
  | {
      readonly kind: 'search';
      readonly network: ConvNetwork;
      readonly methods: readonly SearchMethod[];
      readonly budget: number;
      readonly seed: number;
      readonly effort: MapperEffort;
    };

/** A request as sent: with the id its answers carry. `cancel` stops the request with that id. */
export type Envelope = { readonly id: number; readonly request: Request } | { readonly id: number; readonly cancel: true };

export interface LayerResult {
  readonly layer: ConvLayer;
  readonly name: string;
  readonly count: number;
  readonly cycles: number;
  readonly energy: number;
  readonly edp: number;
  readonly mapping: SimbaMapping;
  readonly breakdown: CostBreakdown;
}

export interface EvaluateResult {
  readonly kind: 'evaluate';
  readonly arch: ArchConfig;
  readonly network: string;
  readonly cycles: number;
  readonly energy: number;
  readonly area: number;
  readonly edp: number;
  readonly layers: readonly LayerResult[];
  readonly seconds: number;
}

export interface DatasetResult {
  readonly kind: 'dataset';
  readonly rows: number;
  readonly designs: number;
  readonly layers: number;
  readonly seconds: number;
  readonly source: string;
}

export interface TrainResult {
  readonly kind: 'train';
  readonly epochs: number;
  readonly seconds: number;
  readonly rows: { readonly train: number; readonly valid: number; readonly test: number };
  readonly test: VaesaEvaluation;
  readonly stopReason: string;
}

export interface SavedModel {
  readonly kind: 'save-model';
  readonly modelJson: string;
  readonly weights: ArrayBuffer;
}

export interface LoadedModel {
  readonly kind: 'load-model';
  readonly epochs: number;
  readonly latentDim: number;
}

export interface MethodResult {
  readonly method: SearchMethod;
  readonly best: BestDesign | undefined;
  readonly history: readonly number[];
  readonly points: readonly { readonly cycles: number; readonly energy: number }[];
  readonly seconds: number;
  readonly stopReason: string;
}

export interface SearchResultMessage {
  readonly kind: 'search';
  readonly methods: readonly MethodResult[];
}

export type Result = { readonly kind: 'backend'; readonly name: string } | EvaluateResult | DatasetResult | TrainResult | SavedModel | LoadedModel | SearchResultMessage;

export type Progress =
  | { readonly kind: 'evaluate'; readonly done: number; readonly total: number }
  | { readonly kind: 'dataset'; readonly done: number; readonly total: number }
  | { readonly kind: 'train'; readonly epoch: number; readonly epochs: number; readonly trainLoss: number; readonly validLoss: number }
  | { readonly kind: 'search'; readonly method: SearchMethod; readonly evaluations: number; readonly budget: number; readonly best: number };

export type Reply =
  | { readonly id: number; readonly type: 'progress'; readonly progress: Progress }
  | { readonly id: number; readonly type: 'result'; readonly result: Result }
  | { readonly id: number; readonly type: 'error'; readonly message: string; readonly cancelled: boolean };
