/**
 * The playground page: the controls, the charts and the tables. It imports `vaesa` as any app does, for
 * the light parts (the design space, the built-in networks, parsing dropped files); the heavy parts run in
 * two workers (worker.ts): one evaluates designs as the sliders move, the other generates datasets, trains
 * and searches, so that evaluating stays quick while a model trains.
 */
import {
  costmodel,
  formatError,
  hardware,
  lowerNetwork,
  networks as builtInNetworks,
  paretoFront,
  parseTimeloopProblem,
  parseWorkloadJson,
  simbaDefaultArch,
  simbaSpace,
  networkOf,
  type ArchConfig,
  type ConvLayer,
  type ConvNetwork,
  type Network,
  type ParamName,
  type ParamSpec,
  type SimbaMapping,
} from 'vaesa';
import { barChart, clearChart, COLOURS, lineChart, scatterChart, setBars, setLine, setScatter } from './charts';
import { formatCount, formatEnergy, formatNumber, formatWords } from './format';
import {
  SEARCH_METHODS,
  type Envelope,
  type EvaluateResult,
  type LayerResult,
  type MapperEffort,
  type MethodResult,
  type Progress,
  type Reply,
  type Request,
  type Result,
  type SearchMethod,
} from './protocol';

// ---------------------------------------------------------------- workers

type ResultOf<K extends Request['kind']> = Extract<Result, { kind: K }>;

/** A job sent to a worker: its answer, and a way to stop it. */
interface Job<K extends Request['kind']> {
  readonly done: Promise<ResultOf<K>>;
  cancel(): void;
}

class Cancelled extends Error {}

class WorkerClient {
  private readonly worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  private readonly pending = new Map<number, { resolve(r: Result): void; reject(e: Error): void; progress(p: Progress): void }>();
  private nextId = 1;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      const entry = this.pending.get(reply.id);
      if (entry === undefined) return;
      if (reply.type === 'progress') entry.progress(reply.progress);
      else {
        this.pending.delete(reply.id);
        if (reply.type === 'result') entry.resolve(reply.result);
        else entry.reject(reply.cancelled ? new Cancelled(reply.message) : new Error(reply.message));
      }
    };
    this.worker.onerror = (event) => {
      for (const entry of this.pending.values()) entry.reject(new Error(`worker failed: ${event.message}`));
      this.pending.clear();
    };
  }

  run<K extends Request['kind']>(request: Extract<Request, { kind: K }>, onProgress: (p: Progress) => void = () => undefined, transfer: Transferable[] = []): Job<K> {
    const id = this.nextId++;
    const done = new Promise<ResultOf<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: (r) => resolve(r as ResultOf<K>), reject, progress: onProgress });
    });
    this.worker.postMessage({ id, request } satisfies Envelope, transfer);
    return { done, cancel: () => this.worker.postMessage({ id, cancel: true } satisfies Envelope) };
  }
}

const evaluator = new WorkerClient();
const jobs = new WorkerClient();

// ---------------------------------------------------------------- small DOM helpers

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`page: no element #${id}`);
  return element as T;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

function table(target: HTMLTableElement, head: readonly string[], rows: readonly (readonly (Node | string)[])[]): HTMLTableRowElement[] {
  target.replaceChildren(el('thead', {}, [el('tr', {}, head.map((h) => el('th', {}, [h])))]));
  const body = el('tbody');
  const trs = rows.map((cells) => el('tr', {}, cells.map((c) => (c instanceof HTMLTableCellElement ? c : el('td', {}, [c])))));
  body.append(...trs);
  target.append(body);
  return trs;
}

function showError(id: string, message: string | undefined): void {
  const box = $(id);
  box.hidden = message === undefined;
  box.textContent = message ?? '';
}

/** A progress bar with a label and a Cancel button, shown while a job runs. */
class ProgressBar {
  private readonly root: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly label: HTMLElement;
  private readonly cancelButton: HTMLButtonElement;

  constructor(id: string) {
    this.root = $(id);
    this.bar = this.root.querySelector('progress')!;
    this.label = this.root.querySelector('.label')!;
    this.cancelButton = this.root.querySelector('.cancel')!;
  }

  start(text: string, cancel: () => void): void {
    this.root.hidden = false;
    this.bar.removeAttribute('value');
    this.label.textContent = text;
    this.cancelButton.disabled = false;
    this.cancelButton.onclick = () => {
      this.cancelButton.disabled = true;
      this.label.textContent = 'cancelling…';
      cancel();
    };
  }

  set(done: number, total: number, text: string): void {
    this.bar.max = total;
    this.bar.value = done;
    this.label.textContent = text;
  }

  stop(): void {
    this.root.hidden = true;
  }
}

// ---------------------------------------------------------------- workloads

/**
 * The workloads on offer, as 2-D convolutions (what Simba's mapper costs): `lowerNetwork` turns matmuls,
 * grouped and depthwise convolutions into counted copies of plain ones, exactly as `evaluateNetwork` does.
 */
const workloads: ConvNetwork[] = Object.values(builtInNetworks as Readonly<Record<string, Network>>).flatMap((n) => {
  const lowered = lowerNetwork(n);
  return lowered._tag === 'Right' ? [lowered.right] : [];
});
let network: ConvNetwork = workloads.find((n) => n.name === 'resnet50') ?? workloads[0];
/** Index of the selected layer in `network.layers`, or -1 for the whole network. */
let layerChoice = -1;

function describeLayer(l: ConvLayer): string {
  const stride = l.strideW > 1 || l.strideH > 1 ? `, stride ${l.strideW === l.strideH ? l.strideW : `${l.strideW}×${l.strideH}`}` : '';
  const batch = l.N > 1 ? `, batch ${l.N}` : '';
  if (l.R === 1 && l.S === 1 && l.P === 1 && l.Q === 1) return `FC ${l.C}→${l.K}${batch}`;
  // A matmul M×K · K×N is lowered to a 1×1 convolution with P = M, C = K, K = N (and Q = 1).
  if (l.R === 1 && l.S === 1 && l.Q === 1 && stride === '') return `matmul ${l.P}×${l.C} · ${l.C}×${l.K}${batch}`;
  return `${l.R}×${l.S} conv ${l.C}→${l.K}, ${l.P}×${l.Q} out${stride}${batch}`;
}

/** What steps 1 and 3 work on: the whole network, or one layer of it (once). */
function target(): ConvNetwork {
  if (layerChoice < 0) return network;
  const { layer } = network.layers[layerChoice];
  return { name: `${network.name} / ${describeLayer(layer)}`, layers: [{ layer, count: 1 }] };
}

function renderWorkloadControls(): void {
  const networkSelect = $<HTMLSelectElement>('network');
  networkSelect.replaceChildren(...workloads.map((n, i) => el('option', { value: String(i), textContent: n.name, selected: n === network })));
  const layerSelect = $<HTMLSelectElement>('layer');
  const total = network.layers.reduce((s, l) => s + l.count, 0);
  layerSelect.replaceChildren(
    el('option', { value: '-1', textContent: `Whole network (${network.layers.length} distinct layers, ${total} in all)`, selected: layerChoice < 0 }),
    ...network.layers.map(({ layer, count }, i) => el('option', { value: String(i), textContent: `${describeLayer(layer)}${count > 1 ? ` (×${count})` : ''}`, selected: i === layerChoice })),
  );
  $('workload-summary').textContent =
    layerChoice < 0
      ? `${network.name}: ${network.layers.length} distinct layers as Simba costs them (matmuls, grouped and depthwise convolutions become counted plain convolutions). Totals weight each layer by how often it occurs; EDP is total cycles × total energy.`
      : `One layer of ${network.name}: ${describeLayer(network.layers[layerChoice].layer)}.`;
}

function selectNetwork(next: ConvNetwork): void {
  network = next;
  layerChoice = -1;
  renderWorkloadControls();
  scheduleEvaluation(0);
}

function addWorkload(source: Network): void {
  const lowered = lowerNetwork(source);
  if (lowered._tag === 'Left') {
    showError('evaluate-error', formatError(lowered.left));
    return;
  }
  const next = lowered.right;
  const existing = workloads.findIndex((n) => n.name === next.name);
  if (existing >= 0) workloads[existing] = next;
  else workloads.push(next);
  selectNetwork(next);
}

// ---------------------------------------------------------------- step 1: evaluate

const PARAM_TEXT: Readonly<Record<ParamName, { label: string; short: string; what: string; words?: boolean }>> = {
  meshX: { label: 'PE array width', short: 'PE X', what: 'PEs along X (meshX); the MACs are spread over the array' },
  macs: { label: 'MAC units', short: 'MACs', what: 'multiply-accumulate units in total' },
  accumulationBuffer: { label: 'Accumulation buffer', short: 'Acc. buf', what: 'entries per instance (24-bit partial sums)', words: true },
  weightBuffer: { label: 'Weight buffer', short: 'Weight buf', what: 'entries per instance (8-bit weights)', words: true },
  inputBuffer: { label: 'Input buffer', short: 'Input buf', what: 'entries per instance (8-bit activations)', words: true },
  globalBuffer: { label: 'Global buffer', short: 'Global buf', what: 'entries, shared by all PEs (8-bit words)', words: true },
};

let arch: ArchConfig = simbaDefaultArch;
const paramInputs = new Map<ParamName, { range: HTMLInputElement; number: HTMLInputElement }>();

/** Slider position: log2 of the value, so that each doubling is the same distance. */
function sliderOf(value: number): number {
  return Math.log2(value);
}

function buildParamControls(): void {
  const root = $('params');
  for (const p of simbaSpace.params) {
    const text = PARAM_TEXT[p.name];
    const values = hardware.gridValues(p);
    const range = el('input', { type: 'range', min: String(sliderOf(values[0])), max: String(sliderOf(values[values.length - 1])), step: 'any', id: `param-${p.name}-range` });
    range.setAttribute('aria-label', text.label);
    const number = el('input', { type: 'number', min: String(p.min), max: String(p.max), step: String(gridStep(p)), id: `param-${p.name}` });
    number.title = p.grid.kind === 'pow2' ? `a power of two from ${p.min} to ${p.max}` : `a multiple of ${gridStep(p)} from ${p.min} to ${p.max}`;
    range.addEventListener('input', () => setParam(p, hardware.snapValue(p, 2 ** Number(range.value)), false));
    number.addEventListener('change', () => setParam(p, hardware.snapValue(p, Number(number.value)), true));
    const range_ = text.words === true ? ` (${formatWords(p.min)} to ${formatWords(p.max)})` : ` (${p.min} to ${formatCount(p.max)})`;
    root.append(
      el('div', { className: 'param' }, [
        el('label', { htmlFor: number.id, className: 'name', textContent: text.label }),
        range,
        number,
        el('div', { className: 'what', textContent: `${text.what}${range_}` }),
      ]),
    );
    paramInputs.set(p.name, { range, number });
  }
  showArch(arch);
}

function showArch(next: ArchConfig): void {
  arch = next;
  for (const p of simbaSpace.params) {
    const inputs = paramInputs.get(p.name)!;
    inputs.number.value = String(arch[p.name]);
    inputs.range.value = String(sliderOf(arch[p.name]));
  }
}

/** The number input's step: Simba's parameters are powers of two or multiples of a step. */
function gridStep(p: ParamSpec<ParamName>): number {
  return p.grid.kind === 'multiple' ? p.grid.step : 1;
}

function setParam(p: ParamSpec<ParamName>, value: number, fromNumber: boolean): void {
  const inputs = paramInputs.get(p.name)!;
  arch = { ...arch, [p.name]: value };
  inputs.number.value = String(value);
  if (fromNumber) inputs.range.value = String(sliderOf(value));
  scheduleEvaluation(250);
}

let evaluationTimer: ReturnType<typeof setTimeout> | undefined;
let evaluation: Job<'evaluate'> | undefined;
let lastEvaluation: EvaluateResult | undefined;
/** The layer whose breakdown and mapping are shown (index into the result's layers). */
let focusedLayer = 0;
const evaluateProgress = new ProgressBar('evaluate-progress');
const breakdownChart = barChart($<HTMLCanvasElement>('breakdown-chart'), 'energy (pJ)');

function scheduleEvaluation(delayMs: number): void {
  clearTimeout(evaluationTimer);
  $('metrics').classList.add('stale');
  evaluationTimer = setTimeout(() => void runEvaluation(), delayMs);
}

async function runEvaluation(): Promise<void> {
  evaluation?.cancel();
  const effort = $<HTMLSelectElement>('effort').value as MapperEffort;
  const what = target();
  const job = evaluator.run({ kind: 'evaluate', arch, network: what, effort }, (p) => {
    if (p.kind === 'evaluate') evaluateProgress.set(p.done, p.total, `mapping layer ${p.done} of ${p.total}…`);
  });
  evaluation = job;
  // A bar only when it takes long enough to notice.
  const showBar = setTimeout(() => evaluation === job && evaluateProgress.start('mapping layers…', () => job.cancel()), 300);
  try {
    const result = await job.done;
    if (evaluation !== job) return;
    lastEvaluation = result;
    focusedLayer = result.layers.length > 1 ? largestEnergyLayer(result) : 0;
    showError('evaluate-error', undefined);
    renderEvaluation(result);
  } catch (e) {
    if (evaluation === job) showError('evaluate-error', e instanceof Cancelled ? 'Evaluation cancelled.' : `Could not evaluate this design: ${(e as Error).message}`);
  } finally {
    clearTimeout(showBar);
    if (evaluation === job) {
      evaluation = undefined;
      evaluateProgress.stop();
      $('metrics').classList.remove('stale');
    }
  }
}

function largestEnergyLayer(result: EvaluateResult): number {
  let best = 0;
  result.layers.forEach((l, i) => {
    if (l.count * l.energy > result.layers[best].count * result.layers[best].energy) best = i;
  });
  return best;
}

function metric(label: string, value: string, unit: string, key: string, exact: number, wide = false): HTMLElement {
  const box = el('div', { className: `metric${wide ? ' wide' : ''}` }, [el('div', { className: 'label', textContent: label }), el('div', { className: 'value' }, [value, el('span', { className: 'unit', textContent: unit })])]);
  box.dataset.metric = key;
  box.dataset.value = String(exact);
  return box;
}

function renderEvaluation(result: EvaluateResult): void {
  const [energyValue, energyUnit] = formatEnergy(result.energy).split(' ');
  const metrics = $('metrics');
  metrics.dataset.arch = JSON.stringify(result.arch);
  metrics.dataset.network = result.network;
  metrics.replaceChildren(
    metric('Cycles', formatNumber(result.cycles), '', 'cycles', result.cycles),
    metric('Energy', energyValue, energyUnit, 'energy', result.energy),
    metric('Area', formatNumber(result.area), 'mm²', 'area', result.area),
    metric('Energy-delay product (EDP)', formatNumber(result.edp), 'cycles·pJ', 'edp', result.edp),
    el('p', { className: 'hint', textContent: `${result.network}: ${result.layers.length} layer${result.layers.length > 1 ? 's' : ''} mapped in ${result.seconds.toFixed(2)} s.` }),
  );
  const wrap = $('layer-table-wrap');
  wrap.hidden = result.layers.length < 2;
  if (result.layers.length > 1) renderLayerTable(result);
  renderLayerDetails(result.layers[focusedLayer], result.layers.length > 1);
}

function renderLayerTable(result: EvaluateResult): void {
  const maxEdpShare = Math.max(...result.layers.map((l) => l.count * l.energy));
  const rows = table(
    $<HTMLTableElement>('layer-table'),
    ['layer', 'count', 'cycles', 'energy', 'EDP (cycles·pJ)', 'share of energy'],
    result.layers.map((l) => {
      const share = (l.count * l.energy) / result.energy;
      const bar = el('td', { className: 'bar' }, [el('span'), el('b', { textContent: `${(100 * share).toFixed(1)}%` })]);
      (bar.firstChild as HTMLElement).style.width = `${(100 * l.count * l.energy) / maxEdpShare}%`;
      return [describeLayer(l.layer), String(l.count), formatNumber(l.cycles), formatEnergy(l.energy), formatNumber(l.edp), bar];
    }),
  );
  rows.forEach((tr, i) => {
    tr.className = `clickable${i === focusedLayer ? ' selected' : ''}`;
    tr.addEventListener('click', () => {
      focusedLayer = i;
      rows.forEach((r, j) => r.classList.toggle('selected', j === i));
      renderLayerDetails(result.layers[i], true);
    });
  });
}

function renderLayerDetails(layer: LayerResult, ofNetwork: boolean): void {
  const which = ofNetwork ? ` of layer ${describeLayer(layer.layer)}` : '';
  $('breakdown-title').textContent = `Energy by storage level and tensor${which}`;
  $('mapping-title').textContent = `Mapping${which} (loop nest, outermost first)`;
  const levels = layer.breakdown.levels;
  setBars(
    breakdownChart,
    [...levels.map((l) => l.level), 'MAC'],
    [
      ...costmodel.TENSOR_NAMES.map((t) => ({ label: t, values: [...levels.map((l) => (l.tensors[t].keep && l.tensors[t].energy > 0 ? l.tensors[t].energy : null)), null] })),
      { label: 'MAC', values: [...levels.map(() => null), layer.breakdown.macEnergy] },
    ],
  );
  const rows: string[][] = [];
  for (const level of [...levels].reverse()) {
    for (const t of costmodel.TENSOR_NAMES) {
      const a = level.tensors[t];
      if (!a.keep) continue;
      rows.push([level.level, t, formatWords(a.utilizedCapacity), String(a.utilizedInstances), formatNumber(a.reads), formatNumber(a.fills), formatNumber(a.updates), formatEnergy(a.energy)]);
    }
  }
  rows.push([`MAC (${formatNumber(layer.breakdown.macs)} operations)`, '', '', formatCount(layer.breakdown.utilizedMacs), '', '', '', formatEnergy(layer.breakdown.macEnergy)]);
  table($<HTMLTableElement>('breakdown-table'), ['level', 'tensor', 'tile (words)', 'instances used', 'reads', 'fills', 'updates', 'energy'], rows);
  $('mapping').replaceChildren(...loopNest(layer.mapping));
}

/** The loop nest outermost first, as Timeloop prints it: each level's temporal loops, then its spatial fan-out. */
function loopNest(mapping: SimbaMapping): (Node | string)[] {
  const out: (Node | string)[] = [];
  let indent = '';
  for (let li = mapping.levels.length - 1; li >= 0; li--) {
    const level = mapping.levels[li];
    out.push(indent, el('span', { className: 'level', textContent: costmodel.LEVEL_NAMES[li] }), '\n');
    const loops = (order: readonly string[], factors: Readonly<Record<string, number>>, spatial: boolean) => {
      for (const d of [...order].reverse()) {
        if (factors[d] <= 1) continue;
        const text = `${indent}  for ${d} in [0:${factors[d]})`;
        out.push(spatial ? el('span', { className: 'spatial', textContent: `${text}  (spatial)` }) : text, '\n');
      }
    };
    loops(level.permutation, level.temporal, false);
    loops(level.spatialPermutation, level.spatial, true);
    indent += '  ';
  }
  return out;
}

// ---------------------------------------------------------------- step 2: dataset and training

let busy = false;
let hasDataset = false;
let hasModel = false;
const datasetProgress = new ProgressBar('dataset-progress');
const trainProgress = new ProgressBar('train-progress');
const lossChart = lineChart($<HTMLCanvasElement>('loss-chart'), 'epoch', 'loss');

function refreshButtons(): void {
  $<HTMLButtonElement>('generate').disabled = busy;
  $<HTMLButtonElement>('train').disabled = busy || !hasDataset;
  $<HTMLButtonElement>('save-model').disabled = busy || !hasModel;
  $<HTMLButtonElement>('search').disabled = busy || selectedMethods().length === 0;
  $('needs-model').hidden = hasModel;
  for (const m of ['latent-bo', 'latent-gradient'] as const) {
    const box = $<HTMLInputElement>(`method-${m}`);
    box.disabled = !hasModel;
    box.parentElement!.title = hasModel ? '' : 'needs a trained model (step 2)';
  }
}

/** Runs one job of the job worker at a time, with its progress bar; the buttons are disabled meanwhile. */
async function exclusive<T>(work: () => Promise<T>): Promise<T | undefined> {
  if (busy) return undefined;
  busy = true;
  refreshButtons();
  try {
    return await work();
  } finally {
    busy = false;
    refreshButtons();
  }
}

function intInput(id: string): number {
  const input = $<HTMLInputElement>(id);
  const value = Math.round(Number(input.value));
  const min = Number(input.min);
  const max = input.max === '' ? Infinity : Number(input.max);
  const clamped = Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
  input.value = String(clamped);
  return clamped;
}

function datasetLoaded(result: ResultOf<'dataset'>): void {
  hasDataset = true;
  const time = result.seconds > 0 ? ` in ${result.seconds.toFixed(1)} s` : '';
  const summary = $('dataset-summary');
  summary.textContent = `Dataset: ${formatCount(result.rows)} rows (${formatCount(result.designs)} designs × ${result.layers} layers) from ${result.source}${time}.`;
  summary.dataset.rows = String(result.rows);
}

async function generate(): Promise<void> {
  await exclusive(async () => {
    const designs = intInput('designs');
    const job = jobs.run({ kind: 'dataset', network, designs, seed: intInput('dataset-seed'), effort: $<HTMLSelectElement>('effort').value as MapperEffort }, (p) => {
      if (p.kind === 'dataset') datasetProgress.set(p.done, p.total, `costing ${formatCount(p.done)} of ${formatCount(p.total)} (design, layer) pairs`);
    });
    datasetProgress.start('sampling designs…', () => job.cancel());
    try {
      datasetLoaded(await job.done);
      showError('train-error', undefined);
    } catch (e) {
      showError('train-error', e instanceof Cancelled ? 'Dataset generation cancelled; the previous dataset is kept.' : (e as Error).message);
    } finally {
      datasetProgress.stop();
    }
  });
}

async function train(): Promise<void> {
  await exclusive(async () => {
    const trainLoss: { x: number; y: number }[] = [];
    const validLoss: { x: number; y: number }[] = [];
    clearChart(lossChart);
    const job = jobs.run({ kind: 'train', epochs: intInput('epochs'), seed: intInput('train-seed') }, (p) => {
      if (p.kind !== 'train') return;
      trainProgress.set(p.epoch, p.epochs, `epoch ${p.epoch} of ${p.epochs}: training loss ${formatNumber(p.trainLoss)}, validation loss ${formatNumber(p.validLoss)}`);
      if (p.trainLoss > 0) trainLoss.push({ x: p.epoch, y: p.trainLoss });
      if (p.validLoss > 0) validLoss.push({ x: p.epoch, y: p.validLoss });
      setLine(lossChart, 'training loss', trainLoss, COLOURS[0]);
      setLine(lossChart, 'validation loss', validLoss, COLOURS[1], true);
    });
    trainProgress.start('preparing…', () => job.cancel());
    try {
      const result = await job.done;
      hasModel = true;
      renderQuality(result);
      showError('train-error', undefined);
    } catch (e) {
      showError('train-error', e instanceof Cancelled ? 'Training cancelled.' : (e as Error).message);
    } finally {
      trainProgress.stop();
    }
  });
}

function renderQuality(result: ResultOf<'train'>): void {
  const { prediction, reconstruction } = result.test;
  const quality = $('quality');
  quality.dataset.spearman = String(prediction.edp.spearman);
  const stopped = result.stopReason === 'early-stopping' ? ' (stopped early: the validation loss stopped improving)' : '';
  quality.replaceChildren(
    el('p', { className: 'hint', textContent: `Trained ${result.epochs} epochs in ${result.seconds.toFixed(1)} s on ${result.rows.train} rows${stopped}. Quality on the ${result.rows.test} held-out test rows:` }),
    el('div', { className: 'quality' }, [
      metric('EDP rank correlation (Spearman)', prediction.edp.spearman.toFixed(3), '1 = ranks designs perfectly', 'spearman', prediction.edp.spearman),
      metric('Designs rebuilt by the VAE', `${(100 * reconstruction.within10PercentShare).toFixed(0)}%`, 'every parameter within 10%', 'reconstruction', reconstruction.within10PercentShare),
      metric('Cycles: median error', `${(100 * prediction.cycles.medianApe).toFixed(1)}%`, '', 'cycles-error', prediction.cycles.medianApe),
      metric('Energy: median error', `${(100 * prediction.energy.medianApe).toFixed(1)}%`, '', 'energy-error', prediction.energy.medianApe),
    ]),
  );
  if (reconstruction.within10PercentShare < 0.5) {
    quality.append(el('p', { className: 'hint', textContent: 'Few designs are rebuilt faithfully yet: more designs and more epochs help (the fast preset rebuilds 99% of designs after training on 500,000 rows of VAESA\'s data, docs/model.md). Search still works; the decoded designs are snapped to the grid and costed exactly.' }));
  }
}

// ---------------------------------------------------------------- step 3: search

const METHOD_TEXT: Readonly<Record<SearchMethod, { label: string; colour: string; dashed: boolean }>> = {
  'latent-bo': { label: 'Latent BO (VAESA)', colour: COLOURS[0], dashed: false },
  'latent-gradient': { label: 'Latent gradient (VAESA)', colour: COLOURS[1], dashed: false },
  'input-random': { label: 'Random designs', colour: COLOURS[2], dashed: true },
  'input-bo': { label: 'BO on the 6 parameters', colour: COLOURS[3], dashed: true },
};
const searchProgress = new ProgressBar('search-progress');
const historyChart = lineChart($<HTMLCanvasElement>('history-chart'), 'cost-model evaluations', 'best EDP so far (cycles·pJ)', { step: true });
const paretoChart = scatterChart($<HTMLCanvasElement>('pareto-chart'), 'cycles', 'energy (pJ)');

function buildMethodControls(): void {
  $('methods').replaceChildren(
    ...SEARCH_METHODS.map((m) => {
      const box = el('input', { type: 'checkbox', id: `method-${m}`, checked: true });
      box.addEventListener('change', refreshButtons);
      return el('label', { className: 'inline' }, [box, el('span', { className: 'swatch' }), METHOD_TEXT[m].label]);
    }),
  );
  for (const m of SEARCH_METHODS) ($(`method-${m}`).nextElementSibling as HTMLElement).style.background = METHOD_TEXT[m].colour;
}

function selectedMethods(): SearchMethod[] {
  return SEARCH_METHODS.filter((m) => {
    const box = document.getElementById(`method-${m}`) as HTMLInputElement | null;
    return box !== null && box.checked && !box.disabled;
  });
}

async function search(): Promise<void> {
  await exclusive(async () => {
    const methods = selectedMethods();
    const budget = intInput('budget');
    const curves = new Map<SearchMethod, { x: number; y: number }[]>();
    clearChart(historyChart);
    clearChart(paretoChart);
    const what = target();
    const job = jobs.run({ kind: 'search', network: what, methods, budget, seed: intInput('search-seed'), effort: $<HTMLSelectElement>('effort').value as MapperEffort }, (p) => {
      if (p.kind !== 'search') return;
      const index = methods.indexOf(p.method);
      searchProgress.set(index * budget + p.evaluations, methods.length * budget, `${METHOD_TEXT[p.method].label}: ${p.evaluations} of ${p.budget} evaluations, best EDP ${formatNumber(p.best)}`);
      if (!Number.isFinite(p.best)) return;
      const curve = curves.get(p.method) ?? [];
      curves.set(p.method, curve);
      curve.push({ x: p.evaluations, y: p.best });
      setLine(historyChart, METHOD_TEXT[p.method].label, curve, METHOD_TEXT[p.method].colour, METHOD_TEXT[p.method].dashed);
    });
    searchProgress.start('starting…', () => job.cancel());
    try {
      const result = await job.done;
      renderSearch(result.methods, what);
      showError('search-error', result.methods.length < methods.length ? 'Search cancelled; the methods that finished are shown.' : undefined);
    } catch (e) {
      showError('search-error', e instanceof Cancelled ? 'Search cancelled.' : (e as Error).message);
    } finally {
      searchProgress.stop();
    }
  });
}

function renderSearch(results: readonly MethodResult[], what: ConvNetwork): void {
  const all = results.flatMap((r) => r.points.map((p) => ({ ...p, method: r.method })));
  const front = paretoFront(all);
  setScatter(paretoChart, [
    ...results.map((r) => ({ label: METHOD_TEXT[r.method].label, points: r.points.map((p) => ({ x: p.cycles, y: p.energy })), colour: METHOD_TEXT[r.method].colour })),
    { label: 'Pareto front', points: front.map((p) => ({ x: p.cycles, y: p.energy })), colour: '#111827', front: true },
  ]);
  const ranked = [...results].sort((a, b) => (a.best?.edp ?? Infinity) - (b.best?.edp ?? Infinity));
  const head = ['method', ...simbaSpace.params.map((p) => PARAM_TEXT[p.name].short), 'cycles', 'energy', 'EDP', 'time', ''];
  const rows = ranked.map((r) => {
    if (r.best === undefined) return [METHOD_TEXT[r.method].label, ...simbaSpace.params.map(() => ''), '', '', 'no feasible design', `${r.seconds.toFixed(1)} s`, ''];
    const best = r.best;
    const button = el('button', { type: 'button', className: 'secondary', textContent: 'Evaluate' });
    button.title = 'Load this design into step 1';
    button.addEventListener('click', () => {
      showArch(best.arch);
      $('evaluate-card').scrollIntoView({ behavior: 'smooth' });
      scheduleEvaluation(0);
    });
    return [
      METHOD_TEXT[r.method].label,
      ...simbaSpace.params.map((p) => formatCount(best.arch[p.name])),
      formatNumber(best.cycles),
      formatEnergy(best.energy),
      formatNumber(best.edp),
      `${r.seconds.toFixed(1)} s`,
      button,
    ];
  });
  const trs = table($<HTMLTableElement>('best-table'), head, rows);
  trs.forEach((tr, i) => {
    const best = ranked[i].best;
    tr.dataset.method = ranked[i].method;
    if (best !== undefined) {
      tr.dataset.arch = JSON.stringify(best.arch);
      tr.dataset.edp = String(best.edp);
    }
  });
  const caption = el('caption', { className: 'hint', textContent: `Target: ${what.name}, best first. Buffer sizes in entries.` });
  $('best-table').prepend(caption);
}

// ---------------------------------------------------------------- files: workloads, datasets, models

async function loadFiles(files: readonly File[]): Promise<void> {
  const byExtension = (ext: string) => files.filter((f) => f.name.toLowerCase().endsWith(ext));
  const bins = byExtension('.bin');
  for (const file of byExtension('.csv')) await loadCsv(file);
  for (const file of [...byExtension('.yaml'), ...byExtension('.yml')]) {
    const layer = parseTimeloopProblem(await file.text(), file.name);
    if (layer._tag === 'Left') showError('evaluate-error', formatError(layer.left));
    else addWorkload(networkOf(file.name.replace(/\.ya?ml$/i, ''), [layer.right]));
  }
  for (const file of byExtension('.json')) {
    const text = await file.text();
    if (text.includes('"vaesa-checkpoint"')) await loadModel(text, bins);
    else {
      const parsed = parseWorkloadJson(text, file.name.replace(/\.json$/i, ''), file.name);
      if (parsed._tag === 'Left') showError('evaluate-error', formatError(parsed.left));
      else addWorkload(parsed.right);
    }
  }
  if (bins.length > 0 && byExtension('.json').length === 0) showError('train-error', 'A model is two files: choose or drop model.json together with weights.bin.');
}

async function loadCsv(file: File): Promise<void> {
  const text = await file.text();
  await exclusive(async () => {
    try {
      datasetLoaded(await jobs.run({ kind: 'load-csv', name: file.name, text }).done);
      showError('train-error', undefined);
    } catch (e) {
      showError('train-error', (e as Error).message);
    }
  });
}

async function loadModel(modelJson: string, bins: readonly File[]): Promise<void> {
  if (bins.length !== 1) {
    showError('train-error', 'A model is two files: choose or drop model.json together with its weights.bin.');
    return;
  }
  const weights = await bins[0].arrayBuffer();
  await exclusive(async () => {
    try {
      const loaded = await jobs.run({ kind: 'load-model', modelJson, weights }, undefined, [weights]).done;
      hasModel = true;
      $('quality').replaceChildren(el('p', { className: 'hint', textContent: `Loaded a model trained for ${loaded.epochs} epochs (${loaded.latentDim}-D latent space). Step 3 can search with it.` }));
      showError('train-error', undefined);
    } catch (e) {
      showError('train-error', (e as Error).message);
    }
  });
}

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function saveModel(): Promise<void> {
  await exclusive(async () => {
    try {
      const saved = await jobs.run({ kind: 'save-model' }).done;
      download('model.json', saved.modelJson, 'application/json');
      download('weights.bin', saved.weights, 'application/octet-stream');
    } catch (e) {
      showError('train-error', (e as Error).message);
    }
  });
}

function setUpDragAndDrop(): void {
  const overlay = $('drop-overlay');
  let depth = 0;
  window.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    void loadFiles([...(e.dataTransfer?.files ?? [])]);
  });
}

// ---------------------------------------------------------------- start

function start(): void {
  renderWorkloadControls();
  buildParamControls();
  buildMethodControls();
  refreshButtons();
  setUpDragAndDrop();
  $<HTMLSelectElement>('network').addEventListener('change', (e) => selectNetwork(workloads[Number((e.target as HTMLSelectElement).value)]));
  $<HTMLSelectElement>('layer').addEventListener('change', (e) => {
    layerChoice = Number((e.target as HTMLSelectElement).value);
    renderWorkloadControls();
    scheduleEvaluation(0);
  });
  $('effort').addEventListener('change', () => scheduleEvaluation(0));
  $('reset-design').addEventListener('click', () => {
    showArch(simbaDefaultArch);
    scheduleEvaluation(0);
  });
  $('evaluate').addEventListener('click', () => scheduleEvaluation(0));
  $('generate').addEventListener('click', () => void generate());
  $('train').addEventListener('click', () => void train());
  $('search').addEventListener('click', () => void search());
  $('save-model').addEventListener('click', () => void saveModel());
  for (const id of ['workload-file', 'csv-file', 'model-files']) {
    $<HTMLInputElement>(id).addEventListener('change', (e) => {
      const input = e.target as HTMLInputElement;
      void loadFiles([...(input.files ?? [])]).finally(() => (input.value = ''));
    });
  }
  void jobs.run({ kind: 'backend' }).done.then((r) => {
    const chip = $('backend');
    chip.dataset.backend = r.name;
    chip.textContent = r.name === 'wasm' ? 'TensorFlow.js backend: wasm (WebAssembly)' : `TensorFlow.js backend: ${r.name} (the wasm backend did not start: training is slower)`;
    chip.className = `chip ${r.name === 'wasm' ? 'good' : 'warn'}`;
  });
  scheduleEvaluation(0);
}

start();
