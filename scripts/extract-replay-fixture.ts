/**
 * Extracts a small fixture of Timeloop reference runs for the always-on replay test
 * (test/costmodel/evaluate.test.ts): every k-th successful run of each setup in
 * ../shared/reference/timeloop-mappings/<setup>/mappings.jsonl.gz, kept as the raw JSON lines, gzipped, in
 * test/costmodel/fixtures/timeloop-runs-<setup>.jsonl.gz.
 *
 *   npx tsx scripts/extract-replay-fixture.ts [--count 20]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const root = path.resolve(__dirname, '..');
const reference = path.resolve(root, '../shared/reference/timeloop-mappings');
const countFlag = process.argv.indexOf('--count');
const count = countFlag >= 0 ? Number(process.argv[countFlag + 1]) : 20;

for (const setup of ['pat', 'accelergy']) {
  const lines = zlib
    .gunzipSync(fs.readFileSync(path.join(reference, setup, 'mappings.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      const run = JSON.parse(line) as { rc: number; ok?: boolean };
      return run.rc === 0 && run.ok !== false;
    });
  const stride = Math.max(1, Math.floor(lines.length / count));
  const picked = lines.filter((_, i) => i % stride === 0).slice(0, count);
  const out = path.join(root, 'test/costmodel/fixtures', `timeloop-runs-${setup}.jsonl.gz`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, zlib.gzipSync(`${picked.join('\n')}\n`, { level: 9 }));
  console.log(`${setup}: ${picked.length} of ${lines.length} runs (every ${stride}th) -> ${path.relative(root, out)} (${fs.statSync(out).size} bytes)`);
}
