/**
 * The developers' guide: no import cycles among our sources, not even type-only ones, between files or
 * between modules (the folders under src/). Reads every import and export-from of src/ statically.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The files of src/ that `file` imports or re-exports (relative specifiers only; data files such as package.json are not modules of ours). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/g), ...text.matchAll(/import\('(\.[^']+)'\)/g)]
    .map((m) => m[1])
    .filter((spec) => !spec.endsWith('.json'));
  return specifiers.map((spec) => {
    const base = path.resolve(path.dirname(file), spec);
    const candidates = [`${base}.ts`, path.join(base, 'index.ts')];
    const found = candidates.find((c) => fs.existsSync(c));
    if (found === undefined) throw new Error(`${path.relative(SRC, file)}: cannot resolve '${spec}'`);
    return found;
  });
}

/** One cycle of the graph as a path of nodes (first = last), or undefined when it has none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const cycle = visit(next);
        if (cycle !== undefined) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.get(node) === undefined) {
      const cycle = visit(node);
      if (cycle !== undefined) return cycle;
    }
  }
  return undefined;
}

/** A file's module: its first folder under src/ (files directly in src/ are the entry points). */
function moduleOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  return parts.length > 1 ? parts[0] : `(entry) ${parts[0]}`;
}

/**
 * The module cycles left when this test was written: the `Evaluator` type in common takes a `Design`
 * (Simba's parameters by default) and a `ConvLayer`; they go when the evaluator takes any problem (issue #15).
 */
const KNOWN_EDGES: readonly (readonly [string, string])[] = [
  ['common/evaluator.ts', 'hardware/space.ts'],
  ['common/evaluator.ts', 'workload/layer.ts'],
];

describe('imports among src/', () => {
  const files = sourceFiles(SRC);
  const known = (from: string, to: string): boolean => KNOWN_EDGES.some(([a, b]) => path.relative(SRC, from) === a && path.relative(SRC, to) === b);
  const fileGraph = new Map(files.map((f) => [f, importsOf(f).filter((to) => !known(f, to))]));

  it('reads a graph with edges (the parser sees the imports)', () => {
    const edges = [...fileGraph.values()].reduce((n, targets) => n + targets.length, 0);
    expect(files.length).toBeGreaterThan(50);
    expect(edges).toBeGreaterThan(files.length);
  });

  it('has no cycle between files', () => {
    const cycle = findCycle(fileGraph);
    expect(cycle?.map((f) => path.relative(SRC, f))).toBeUndefined();
  });

  it('has no cycle between modules', () => {
    const moduleGraph = new Map<string, string[]>();
    for (const [file, targets] of fileGraph) {
      const from = moduleOf(file);
      const edges = moduleGraph.get(from) ?? [];
      for (const target of targets) {
        const to = moduleOf(target);
        if (to !== from && !edges.includes(to)) edges.push(to);
      }
      moduleGraph.set(from, edges);
    }
    expect(findCycle(moduleGraph)).toBeUndefined();
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeUndefined();
  });
});
