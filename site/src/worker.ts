/**
 * The page's worker: every heavy step (cost model, dataset, training, search) runs here, so the page never
 * freezes. It holds the dataset and the trained model between requests. A request is stopped by aborting
 * its signal; the library checks it between evaluations, batches and epochs, and `breathe` gives this
 * worker's event loop a turn now and then, so that the page's cancel message can arrive at all.
 */
import {
  costModelEvaluator,
  createMappingCache,
  createRng,
  decodeVaesa,
  encodeVaesa,
  evaluateLayer,
  evaluateVaesa,
  formatError,
  generateDataset,
  inputSpaceSearch,
  latentSearch,
  layerName,
  parseVaesaCsv,
  simbaSpace,
  search as searchModule,
  splitDataset,
  trainVaesa,
  useBackend,
  type DatasetRow,
  type Evaluator,
  type SearchResult,
  type TrainedVaesa,
} from 'vaesa';
import type { Envelope, EvaluateResult, LayerResult, MapperEffort, MethodResult, Progress, Reply, Request, Result, SearchMethod } from './protocol';

interface WorkerScope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<Envelope>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let backend: Promise<string> | undefined;
/**
 * Starts TensorFlow.js on first need (the evaluating worker never does): the wasm backend, whose binaries
 * site/build.ts copies beside this worker's script, else the cpu backend.
 */
function startBackend(): Promise<string> {
  backend ??= (async () => {
    const wasm = await useBackend('wasm', { wasmPaths: new URL('./', import.meta.url).href }).catch(() => false);
    if (wasm) return 'wasm';
    await useBackend('cpu');
    return 'cpu';
  })();
  return backend;
}

let rows: DatasetRow[] = [];
let trained: TrainedVaesa | undefined;
/** One mapping cache per mapper effort, kept across requests: a layer's first look is the slow part. */
const caches = new Map<MapperEffort, ReturnType<typeof createMappingCache>>();
const evaluators = new Map<MapperEffort, Evaluator>();
const running = new Map<number, AbortController>();

function cacheFor(effort: MapperEffort): ReturnType<typeof createMappingCache> {
  let cache = caches.get(effort);
  if (cache === undefined) caches.set(effort, (cache = createMappingCache()));
  return cache;
}

function evaluatorFor(effort: MapperEffort): Evaluator {
  let evaluator = evaluators.get(effort);
  if (evaluator !== undefined) return evaluator;
  const made = costModelEvaluator({ effort });
  if (made._tag === 'Left') throw new Error(formatError(made.left));
  evaluators.set(effort, made.right);
  return made.right;
}

let lastTurn = performance.now();
/** Lets the event loop run (and a cancel message in) when this worker has computed for a while. */
async function breathe(): Promise<void> {
  if (performance.now() - lastTurn < 30) return;
  await new Promise((resolve) => setTimeout(resolve, 0));
  lastTurn = performance.now();
}

function breathing(evaluate: Evaluator): Evaluator {
  return async (arch, layer) => {
    await breathe();
    return evaluate(arch, layer);
  };
}

class Cancelled extends Error {}

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new Cancelled('cancelled');
}

async function evaluate(request: Extract<Request, { kind: 'evaluate' }>, signal: AbortSignal, progress: (p: Progress) => void): Promise<EvaluateResult> {
  const started = performance.now();
  const layers = searchModule.weightedLayers(request.network);
  const options = { effort: request.effort, cache: cacheFor(request.effort) };
  const results: LayerResult[] = [];
  let area = 0;
  for (const [i, { layer, count }] of layers.entries()) {
    await breathe();
    checkSignal(signal);
    const evaluated = evaluateLayer(request.arch, layer, options);
    if (evaluated._tag === 'Left') throw new Error(formatError(evaluated.left));
    const cost = evaluated.right;
    area = cost.area;
    results.push({ layer, name: layerName(layer), count, cycles: cost.cycles, energy: cost.energy, edp: cost.edp, mapping: cost.mapping, breakdown: cost.breakdown });
    progress({ kind: 'evaluate', done: i + 1, total: layers.length });
  }
  // The network's totals as evaluateNetwork sums them: Σ count·cycles, Σ count·energy, EDP = their product.
  const totals = searchModule.targetTotals(layers, results);
  return { kind: 'evaluate', arch: request.arch, network: request.network.name, ...totals, area, layers: results, seconds: (performance.now() - started) / 1000 };
}

async function dataset(request: Extract<Request, { kind: 'dataset' }>, signal: AbortSignal, progress: (p: Progress) => void): Promise<Result> {
  const started = performance.now();
  const generated: DatasetRow[] = [];
  let lastReport = 0;
  const run = generateDataset({
    space: simbaSpace,
    networks: [request.network],
    sampler: { kind: 'lhs', count: request.designs },
    seed: request.seed,
    evaluator: breathing(evaluatorFor(request.effort)),
    signal,
    onProgress: (p) => {
      if (p.done === p.total || performance.now() - lastReport > 100) {
        lastReport = performance.now();
        progress({ kind: 'dataset', done: p.done, total: p.total });
      }
    },
  });
  for await (const row of run) generated.push(row);
  checkSignal(signal);
  rows = generated;
  const layers = new Set(rows.map((r) => layerName(r.layer))).size;
  return { kind: 'dataset', rows: rows.length, designs: request.designs, layers, seconds: (performance.now() - started) / 1000, source: `${request.network.name} (Latin hypercube, seed ${request.seed})` };
}

function loadCsv(request: Extract<Request, { kind: 'load-csv' }>): Result {
  const read = parseVaesaCsv(request.text, { source: request.name, skipBadRows: true });
  if (read._tag === 'Left') throw new Error(formatError(read.left));
  if (read.right.rows.length === 0) throw new Error(`${request.name}: no data rows`);
  rows = [...read.right.rows];
  const designs = new Set(rows.map((r) => JSON.stringify(r.arch))).size;
  const layers = new Set(rows.map((r) => layerName(r.layer))).size;
  const skipped = read.right.skipped > 0 ? `, ${read.right.skipped} bad rows skipped` : '';
  return { kind: 'dataset', rows: rows.length, designs, layers, seconds: 0, source: `${request.name}${skipped}` };
}

async function train(request: Extract<Request, { kind: 'train' }>, signal: AbortSignal, progress: (p: Progress) => void): Promise<Result> {
  if (rows.length === 0) throw new Error('no dataset: generate one or load a VAESA CSV first');
  const started = performance.now();
  const split = splitDataset(rows, createRng(request.seed));
  const result = await trainVaesa(split.train, {
    preset: 'fast',
    seed: request.seed,
    space: simbaSpace,
    validation: split.valid,
    schedule: { epochs: request.epochs },
    dropDesignsOutsideSpace: true,
    signal,
    onEpoch: async (m) => {
      progress({ kind: 'train', epoch: m.epoch, epochs: m.epochs, trainLoss: m.trainLoss, validLoss: m.validation.loss });
      await breathe();
    },
  });
  if (result._tag === 'Left') throw new Error(formatError(result.left));
  if (signal.aborted) {
    result.right.dispose();
    throw new Cancelled('cancelled');
  }
  trained?.dispose();
  trained = result.right;
  const test = evaluateVaesa(trained, split.test.length > 0 ? split.test : split.valid);
  return {
    kind: 'train',
    epochs: trained.training.epoch,
    seconds: (performance.now() - started) / 1000,
    rows: { train: split.train.length, valid: split.valid.length, test: split.test.length },
    test,
    stopReason: trained.training.stopReason,
  };
}

async function search(request: Extract<Request, { kind: 'search' }>, signal: AbortSignal, progress: (p: Progress) => void): Promise<Result> {
  const evaluator = breathing(evaluatorFor(request.effort));
  const done: { method: SearchMethod; result: SearchResult }[] = [];
  for (const method of request.methods) {
    if (signal.aborted) break;
    const common = {
      budget: request.budget,
      seed: request.seed,
      evaluator,
      pareto: true,
      signal,
      onProgress: (p: { evaluations: number; budget: number; bestObjective: number }) =>
        progress({ kind: 'search', method, evaluations: p.evaluations, budget: p.budget, best: p.bestObjective }),
    };
    let searched;
    if (method === 'latent-bo' || method === 'latent-gradient') {
      if (trained === undefined) throw new Error('latent search needs a model: train or load one first');
      searched = await latentSearch(trained, request.network, { ...common, optimizer: method === 'latent-bo' ? 'bo' : 'gradient' });
    } else {
      searched = await inputSpaceSearch(simbaSpace, request.network, { ...common, optimizer: method === 'input-bo' ? 'bo' : 'random' });
    }
    if (searched._tag === 'Left') throw new Error(formatError(searched.left));
    const result: SearchResult = searched.right;
    done.push({ method, result });
  }
  const methods: MethodResult[] = done.map(({ method, result }) => ({
    method,
    best: result.best,
    history: result.history,
    points: result.evaluations.filter((e) => e.feasible).map((e) => ({ cycles: e.cycles, energy: e.energy })),
    seconds: result.timing.totalMs / 1000,
    stopReason: result.stopReason,
  }));
  return { kind: 'search', methods };
}

async function handle(id: number, request: Request): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  const progress = (p: Progress) => scope.postMessage({ id, type: 'progress', progress: p });
  try {
    let result: Result;
    switch (request.kind) {
      case 'backend':
        result = { kind: 'backend', name: await startBackend() };
        break;
      case 'evaluate':
        result = await evaluate(request, controller.signal, progress);
        break;
      case 'dataset':
        result = await dataset(request, controller.signal, progress);
        break;
      case 'load-csv':
        result = loadCsv(request);
        break;
      case 'train':
        await startBackend();
        result = await train(request, controller.signal, progress);
        break;
      case 'search':
        await startBackend();
        result = await search(request, controller.signal, progress);
        break;
      case 'save-model': {
        if (trained === undefined) throw new Error('no model to save: train or load one first');
        const encoded = encodeVaesa(trained);
        const weights = encoded.weights.slice().buffer;
        scope.postMessage({ id, type: 'result', result: { kind: 'save-model', modelJson: encoded.modelJson, weights } }, [weights]);
        return;
      }
      case 'load-model': {
        await startBackend();
        const decoded = decodeVaesa(request.modelJson, new Uint8Array(request.weights), simbaSpace);
        if (decoded._tag === 'Left') throw new Error(formatError(decoded.left));
        trained?.dispose();
        trained = decoded.right;
        result = { kind: 'load-model', epochs: trained.training.epoch, latentDim: trained.config.latentDim };
        break;
      }
    }
    scope.postMessage({ id, type: 'result', result });
  } catch (e) {
    const cancelled = controller.signal.aborted;
    scope.postMessage({ id, type: 'error', message: cancelled ? 'cancelled' : e instanceof Error ? e.message : String(e), cancelled });
  } finally {
    running.delete(id);
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if ('cancel' in message) running.get(message.id)?.abort();
  else void handle(message.id, message.request);
};
