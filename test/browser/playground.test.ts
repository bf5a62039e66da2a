/**
 * The playground (site/) in a real browser: Debian's Chromium, driven by playwright-core. The site is built
 * from the package's dist/ (`npm run build` first; `npm test` and `npm run test:browser` do), served by a
 * static file server on 127.0.0.1, and taken through its three steps with small sizes; the page's numbers
 * are checked against the library run here in Node. Screenshots of each step go to .browser-screenshots/
 * (git-ignored), with the time each step took in the browser (timings.json).
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildSite } from '../../site/build';
import type { ArchConfig } from '../../src/hardware/arch';
import { sampleArch, simbaSpace } from '../../src/hardware/space';
import { formatVaesaCsv } from '../../src/dataset/csv';
import { createMappingCache, evaluateNetwork } from '../../src/mapper';
import { right } from '../fixtures/right';
import { decodeVaesa } from '../../src/train/checkpoint-format';
import { createRng } from '../../src/common/rng';
import { networks } from '../../src/workload/builtin';
import { layerMacs, type ConvLayer } from '../../src/workload/layer';

const repoRoot = path.resolve(__dirname, '../..');
const screenshots = path.join(repoRoot, '.browser-screenshots');
const chromiumPath = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CONTENT_TYPES: Readonly<Record<string, string>> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.map': 'application/json' };
const STEP_TIMEOUT_MS = 180_000;

/** The design step 1 sets (not Simba's default, so the sliders must have taken it). */
const design: ArchConfig = { meshX: 8, macs: 2048, accumulationBuffer: 128, weightBuffer: 8192, inputBuffer: 512, globalBuffer: 131072 };
const effort = 'fast';
/** Node's mapping cache for every evaluation here (results are the same with or without one, only faster). */
const cache = createMappingCache();

let siteDir: string;
let userDataDir: string;
let server: http.Server;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const timings: Record<string, number> = {};
/** Requests the page made that the server could not answer. */
const missing: string[] = [];

function serve(root: string): Promise<http.Server> {
  const s = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (!file.startsWith(root) || !existsSync(file)) {
      missing.push(pathname);
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  timings[step] = (Date.now() - started) / 1000;
  return result;
}

/** The whole page, and the step's own card at full resolution. */
async function screenshot(name: string, card: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshots, `${name}-page.png`), fullPage: true });
  await page.locator(card).screenshot({ path: path.join(screenshots, `${name}.png`) });
}

/** Waits until the evaluating worker has answered for `arch` on `network`, and nothing newer is pending. */
async function evaluated(arch: ArchConfig, network: string): Promise<Record<string, number>> {
  await page.waitForFunction(
    ([json, name]) => {
      const metrics = document.querySelector<HTMLElement>('#metrics')!;
      return metrics.dataset.arch === json && metrics.dataset.network === name && !metrics.classList.contains('stale');
    },
    [JSON.stringify(arch), network],
    { timeout: STEP_TIMEOUT_MS },
  );
  return page.$$eval('#metrics [data-metric]', (boxes) => Object.fromEntries(boxes.map((b) => [(b as HTMLElement).dataset.metric!, Number((b as HTMLElement).dataset.value)])));
}

async function setDesign(arch: ArchConfig): Promise<void> {
  for (const [name, value] of Object.entries(arch)) await page.fill(`#param-${name}`, String(value));
  // `change` fires when the last input loses focus.
  await page.locator('#param-globalBuffer').blur();
}

async function drop(files: readonly { name: string; text: string }[]): Promise<void> {
  await page.evaluate((contents) => {
    const transfer = new DataTransfer();
    for (const f of contents) transfer.items.add(new File([f.text], f.name));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get install -y chromium (.ci/run does)`);
  if (!existsSync(path.join(repoRoot, 'dist/index.mjs'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  siteDir = mkdtempSync(path.join(os.tmpdir(), 'vaesa-site-'));
  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'vaesa-chromium-'));
  rmSync(screenshots, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
  await timed('build the site', () => buildSite(siteDir));
  server = await serve(siteDir);
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  context.on('weberror', (error) => problems.push(`web error: ${error.error().message}`));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}, STEP_TIMEOUT_MS);

afterAll(async () => {
  writeFileSync(path.join(screenshots, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
  await context?.close();
  await new Promise((resolve) => server?.close(resolve));
  for (const dir of [siteDir, userDataDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  await esbuild.stop();
});

describe('the playground in Chromium', () => {
  it('starts the tfjs wasm backend (not the cpu fallback)', async () => {
    await page.waitForSelector('#backend[data-backend]', { timeout: STEP_TIMEOUT_MS });
    expect(await page.getAttribute('#backend', 'data-backend')).toBe('wasm');
  });

  it('step 1: evaluates a design on AlexNet to the numbers evaluateNetwork gives in Node', async () => {
    const metrics = await timed('1 evaluate AlexNet', async () => {
      await page.selectOption('#network', { label: 'alexnet' });
      await page.selectOption('#effort', effort);
      await setDesign(design);
      return evaluated(design, 'alexnet');
    });
    const inNode = right(evaluateNetwork(design, networks.alexnet, { effort, cache }));
    expect(metrics).toEqual({ cycles: inNode.cycles, energy: inNode.energy, area: inNode.area, edp: inNode.edp });
    // The sliders show the design that was evaluated.
    for (const [name, value] of Object.entries(design)) expect(await page.inputValue(`#param-${name}`)).toBe(String(value));
    // The per-layer table, the breakdown (table and chart) and the loop nest of the layer with the most energy.
    expect(await page.locator('#layer-table tbody tr').count()).toBe(networks.alexnet.layers.length);
    expect(await page.locator('#breakdown-table tbody tr').count()).toBeGreaterThan(6);
    expect(await page.locator('.chart.has-data #breakdown-chart').count()).toBe(1);
    expect(await page.textContent('#mapping')).toMatch(/^DRAM\n/);
    await screenshot('1-evaluate', '#evaluate-card');
  }, STEP_TIMEOUT_MS);

  it('loads a workload file and a VAESA CSV dropped on the page', async () => {
    const workload = JSON.stringify([[3, 3, 14, 14, 64, 128, 1, 1, 1], [1, 1, 1, 1, 512, 10, 1, 1, 1]]);
    await drop([{ name: 'tiny-net.json', text: workload }]);
    await page.waitForFunction(() => [...document.querySelectorAll('#network option')].some((o) => o.textContent === 'tiny-net' && (o as HTMLOptionElement).selected));
    expect(await page.locator('#layer option').count()).toBe(3);

    const rng = createRng(4);
    const layers: ConvLayer[] = networks.alexnet.layers.slice(0, 3).map((l) => l.layer as ConvLayer);
    const rows = Array.from({ length: 30 }, (_, i) => {
      const arch = sampleArch(simbaSpace, rng);
      const layer = layers[i % layers.length];
      return { arch, layer, cycles: Math.ceil(layerMacs(layer) / arch.macs), energy: layerMacs(layer) * 2.5 };
    });
    await drop([{ name: 'rows.csv', text: formatVaesaCsv(rows, { withLayer: true, withArea: false }) }]);
    await page.waitForSelector('#dataset-summary[data-rows="30"]');
    expect(await page.textContent('#dataset-summary')).toContain('rows.csv');
    await page.selectOption('#network', { label: 'alexnet' });
  });

  it('step 2: generates a dataset and trains the fast preset to a good test Spearman, with a live loss curve', async () => {
    await timed('2a generate 64 designs x 8 layers', async () => {
      await page.fill('#designs', '64');
      await page.click('#generate');
      await page.waitForSelector('#dataset-summary[data-rows="512"]', { timeout: STEP_TIMEOUT_MS });
    });
    await timed('2b train 30 epochs', async () => {
      await page.fill('#epochs', '30');
      await page.click('#train');
      await page.waitForSelector('#quality[data-spearman]', { timeout: STEP_TIMEOUT_MS });
    });
    const spearman = Number(await page.getAttribute('#quality', 'data-spearman'));
    expect(spearman).toBeGreaterThan(0.85);
    expect(await page.locator('.chart.has-data #loss-chart').count()).toBe(1);
    await screenshot('2-train', '#train-card');
  }, STEP_TIMEOUT_MS);

  it('saves the model as model.json + weights.bin that Node loads, and loads them back from the file picker', async () => {
    const downloads: { name: string; file: string }[] = [];
    const saved = new Promise<void>((resolve) => {
      page.on('download', async (download) => {
        const file = path.join(siteDir, `downloaded-${download.suggestedFilename()}`);
        await download.saveAs(file);
        downloads.push({ name: download.suggestedFilename(), file });
        if (downloads.length === 2) resolve();
      });
    });
    await page.click('#save-model');
    await saved;
    expect(downloads.map((d) => d.name).sort()).toEqual(['model.json', 'weights.bin']);
    const byName = Object.fromEntries(downloads.map((d) => [d.name, d.file]));
    const decoded = decodeVaesa(readFileSync(byName['model.json'], 'utf8'), readFileSync(byName['weights.bin']));
    expect(E.isRight(decoded) && decoded.right.training.epoch).toBe(30);
    if (E.isRight(decoded)) decoded.right.dispose();

    await page.setInputFiles('#model-files', [byName['model.json'], byName['weights.bin']]);
    await page.waitForFunction(() => document.querySelector('#quality')?.textContent?.startsWith('Loaded a model trained for 30 epochs'));
  }, STEP_TIMEOUT_MS);

  it('step 3: latent BO and gradient search against random and BO at the same budget; the best design re-evaluates to the shown EDP', async () => {
    const best = await timed('3 search, 4 methods x 12 evaluations', async () => {
      await page.fill('#budget', '12');
      await page.click('#search');
      await page.waitForSelector('#best-table tr[data-edp]', { timeout: STEP_TIMEOUT_MS });
      return page.$$eval('#best-table tr[data-method]', (trs) => trs.map((tr) => ({ method: (tr as HTMLElement).dataset.method, edp: Number((tr as HTMLElement).dataset.edp), arch: JSON.parse((tr as HTMLElement).dataset.arch ?? 'null') as ArchConfig })));
    });
    expect(best.map((b) => b.method).sort()).toEqual(['input-bo', 'input-random', 'latent-bo', 'latent-gradient']);
    for (const b of best) expect(right(evaluateNetwork(b.arch, networks.alexnet, { effort, cache })).edp).toBe(b.edp);
    expect(best.map((b) => b.edp)).toEqual([...best.map((b) => b.edp)].sort((x, y) => x - y));
    expect(await page.locator('.chart.has-data #history-chart').count()).toBe(1);
    expect(await page.locator('.chart.has-data #pareto-chart').count()).toBe(1);
    await screenshot('3-search', '#search-card');

    // "Evaluate" on the best row loads it into step 1, which shows the same EDP.
    await page.locator('#best-table tbody tr').first().locator('button').click();
    expect((await evaluated(best[0].arch, 'alexnet')).edp).toBe(best[0].edp);
    for (const [name, value] of Object.entries(best[0].arch)) expect(await page.inputValue(`#param-${name}`)).toBe(String(value));
  }, STEP_TIMEOUT_MS);

  it('Cancel stops a long training run, and the page stays usable', async () => {
    await page.fill('#epochs', '500');
    await page.click('#train');
    await page.waitForFunction(() => /^epoch [1-9]/.test(document.querySelector('#train-progress .label')?.textContent ?? ''), null, { timeout: STEP_TIMEOUT_MS });
    await page.click('#train-progress .cancel');
    await page.waitForFunction(() => document.querySelector('#train-error')?.textContent === 'Training cancelled.', null, { timeout: 30_000 });
    expect(await page.isEnabled('#train')).toBe(true);
  }, STEP_TIMEOUT_MS);

  it('logged no console error and fetched every file it asked for', () => {
    expect(problems).toEqual([]);
    expect(missing).toEqual([]);
  });
});
