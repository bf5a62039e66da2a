// Test helper for browser-bundle.test.ts: runs a bundled app the way a browser would, inside a fresh V8
// context that has a browser's globals and none of Node's (no require, process, Buffer, __dirname).
// Needs `node --experimental-vm-modules` (vm.SourceTextModule).
//
// argv[2] is JSON: { entryUrl, files: { [url]: path on disk }, sites: { [url prefix]: directory },
// exportName, calls: [argument, ...] }. `files` and `sites` are a static web host: `fetch` and the module
// loader (static and dynamic `import` of URLs) read only from them and reject every other URL and every bare
// or `node:` specifier, so no network and no Node module is reachable.
// For each call it awaits `entry[exportName](argument)`, then prints JSON to stdout:
// { results, fetched: [url, ...], blocked: [url, ...], modules: [url, ...], nodeGlobals: { process: typeof process, ... } }.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import vm from 'node:vm';

const config = JSON.parse(process.argv[2]);
const fetched = [];
const blocked = [];
const logged = [];

/** The file a URL of the static host serves, or undefined. */
function served(url) {
  if (config.files?.[url] !== undefined) return config.files[url];
  for (const [prefix, dir] of Object.entries(config.sites ?? {})) {
    if (!url.startsWith(prefix)) continue;
    const file = path.join(dir, decodeURIComponent(new URL(url).pathname.slice(new URL(prefix).pathname.length)));
    if (file.startsWith(path.resolve(dir) + path.sep) && existsSync(file)) return file;
  }
  return undefined;
}

const context = vm.createContext({});
const sandbox = vm.runInContext('globalThis', context);
const record = (...args) => logged.push(args.map(String).join(' '));
Object.assign(sandbox, {
  window: sandbox,
  self: sandbox,
  location: new URL(config.entryUrl),
  console: { log: record, info: record, warn: record, error: record, debug: record },
  async fetch(input) {
    const url = String(input instanceof URL ? input.href : input);
    const file = served(url);
    if (file === undefined) {
      blocked.push(url);
      throw new TypeError(`Failed to fetch ${url} (the sandbox has no network)`);
    }
    fetched.push(url);
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    return new Response(readFileSync(file), { status: 200, headers: { 'content-type': type } });
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

/** Module records by URL, as a browser's module map. */
const modules = new Map();

function resolve(specifier, referrerUrl) {
  if (!/^(\.{0,2}\/|https?:)/.test(specifier)) throw new Error(`the bundle imports ${specifier} (a browser cannot resolve it)`);
  return new URL(specifier, referrerUrl).href;
}

function moduleAt(url) {
  const cached = modules.get(url);
  if (cached !== undefined) return cached;
  const file = served(url);
  if (file === undefined) {
    blocked.push(url);
    throw new Error(`module ${url} is not served`);
  }
  const module = new vm.SourceTextModule(readFileSync(file, 'utf8'), {
    context,
    identifier: url,
    initializeImportMeta(meta) {
      meta.url = url;
    },
    async importModuleDynamically(specifier, referrer) {
      const imported = moduleAt(resolve(specifier, referrer.identifier));
      await imported.link(linker);
      await imported.evaluate();
      return imported;
    },
  });
  modules.set(url, module);
  return module;
}

function linker(specifier, referrer) {
  return moduleAt(resolve(specifier, referrer.identifier));
}

const entry = moduleAt(config.entryUrl);
await entry.link(linker);
await entry.evaluate();

const results = [];
for (const argument of config.calls) {
  // Arguments cross as JSON text so that their objects belong to the sandbox's realm.
  const inner = vm.runInContext(`JSON.parse(${JSON.stringify(JSON.stringify(argument))})`, context);
  results.push(JSON.parse(JSON.stringify(await entry.namespace[config.exportName](inner))));
}
process.stdout.write(JSON.stringify({ results, fetched, blocked, modules: [...modules.keys()], nodeGlobals, logged }));
