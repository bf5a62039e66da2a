/**
 * Builds the playground into a folder any static host serves (default site/dist): main.js and worker.js
 * (esbuild bundles that import `vaesa` through the package's own name, i.e. its built dist/ as an app
 * would get it: run `npm run build` first, as `npm run site` does), the HTML and CSS, and the tfjs wasm
 * backend's binaries beside worker.js, where the worker's `useBackend('wasm', { wasmPaths })` looks.
 *
 * `npx tsx site/build.ts [outDir]` prints each file's size and its gzip size.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const siteRoot = __dirname;

export interface BuiltFile {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Builds the site into `outDir` (emptied first) and lists what it wrote. */
export async function buildSite(outDir = path.join(siteRoot, 'dist')): Promise<BuiltFile[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: { main: path.join(siteRoot, 'src/main.ts'), worker: path.join(siteRoot, 'src/worker.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    outdir: outDir,
    logLevel: 'warning',
    // The site's tsconfig is for type checking only; `vaesa` resolves as an app's import would.
    tsconfigRaw: {},
  });
  copyFileSync(path.join(siteRoot, 'index.html'), path.join(outDir, 'index.html'));
  copyFileSync(path.join(siteRoot, 'style.css'), path.join(outDir, 'style.css'));
  const tfjsWasmDir = path.dirname(createRequire(path.join(siteRoot, 'build.ts')).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const file of readdirSync(tfjsWasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(path.join(tfjsWasmDir, file), path.join(outDir, file));
  return readdirSync(outDir)
    .filter((f) => !f.endsWith('.map'))
    .sort()
    .map((file) => {
      const bytes = readFileSync(path.join(outDir, file));
      return { file, bytes: statSync(path.join(outDir, file)).size, gzipBytes: gzipSync(bytes, { level: 9 }).length };
    });
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? path.join(siteRoot, 'dist'));
  buildSite(outDir).then(
    (files) => {
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
      for (const f of files) console.log(`${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzipBytes).padStart(9)}`);
      console.log(`built ${path.relative(process.cwd(), outDir) || '.'}: serve it with any static file server, e.g. python3 -m http.server --directory ${path.relative(process.cwd(), outDir) || '.'} 8080`);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
