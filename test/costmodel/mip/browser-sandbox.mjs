// Test helper for browser-bundle.test.ts: runs an ES-module bundle (read from stdin) the way a browser would,
// inside a fresh V8 context that has a browser's globals and none of Node's (no require, process, Buffer,
// __dirname, module loader). Needs `node --experimental-vm-modules` (vm.SourceTextModule).
//
// argv[2] is JSON: { moduleUrl, files: { [url]: path on disk }, exportName, calls: [argument, ...] }.
// `fetch` serves exactly `files` (a static host) and rejects every other URL, so no network is reachable.
// For each call it awaits `bundle[exportName](argument)`, then prints JSON to stdout:
// { results, fetched: [url, ...], blocked: [url, ...], nodeGlobals: { process, require, ... }: typeof each }.
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const config = JSON.parse(process.argv[2]);
const code = readFileSync(0, 'utf8');
const fetched = [];
const blocked = [];
const logged = [];

const context = vm.createContext({});
const sandbox = vm.runInContext('globalThis', context);
const record = (...args) => logged.push(args.map(String).join(' '));
Object.assign(sandbox, {
  window: sandbox,
  self: sandbox,
  console: { log: record, info: record, warn: record, error: record, debug: record },
  async fetch(input) {
    const url = String(input instanceof URL ? input.href : input);
    const file = config.files[url];
    if (file === undefined) {
      blocked.push(url);
      throw new TypeError(`Failed to fetch ${url} (the sandbox has no network)`);
    }
    fetched.push(url);
    return new Response(readFileSync(file), { status: 200, headers: { 'content-type': 'application/wasm' } });
  },
  URL,
  TextDecoder,
  TextEncoder,
  performance,
  crypto: { getRandomValues: (array) => crypto.getRandomValues(array) },
  setTimeout,
  clearTimeout,
  queueMicrotask,
});

const nodeGlobals = Object.fromEntries(
  ['process', 'require', 'module', 'Buffer', '__dirname', 'global'].map((name) => [name, vm.runInContext(`typeof ${name}`, context)]),
);

const bundle = new vm.SourceTextModule(code, {
  context,
  identifier: config.moduleUrl,
  initializeImportMeta(meta) {
    meta.url = config.moduleUrl;
  },
  importModuleDynamically(specifier) {
    throw new Error(`the bundle imported ${specifier} at run time (a browser cannot)`);
  },
});
await bundle.link((specifier) => {
  throw new Error(`the bundle has a static import of ${specifier} (a browser cannot resolve it)`);
});
await bundle.evaluate();

const results = [];
for (const argument of config.calls) {
  // Arguments cross as JSON text so that their objects belong to the sandbox's realm.
  const inner = vm.runInContext(`JSON.parse(${JSON.stringify(JSON.stringify(argument))})`, context);
  results.push(JSON.parse(JSON.stringify(await bundle.namespace[config.exportName](inner))));
}
process.stdout.write(JSON.stringify({ results, fetched, blocked, nodeGlobals, logged }));
