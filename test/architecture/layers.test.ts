/**
 * The layering rules of ARCHITECTURE.md, checked on the source: each layer imports only the
 * layers below it, and no module imports itself through a cycle.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/** What each layer may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  storage: [],
  crypto: ['storage'],
  engine: ['crypto', 'storage'],
  api: ['engine', 'crypto', 'storage'],
  bootstrap: ['engine', 'crypto', 'storage'],
  cli: ['bootstrap', 'api', 'engine', 'crypto', 'storage', 'client', 'agent'],
  // The agent serves AWS's wire API (api/'s decoders and SigV4) from the SDK's cache (client/).
  agent: ['client', 'api', 'engine', 'storage'],
  client: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

const layerOf = (file: string) => relative(SRC, file).split('/')[0]!;

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('each layer imports only the layers below it', () => {
    const violations = files.flatMap((file) =>
      localImports(file)
        .filter(
          (target) => layerOf(target) !== layerOf(file) && !(ALLOWED[layerOf(file)] ?? []).includes(layerOf(target)),
        )
        .map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`),
    );
    assert.deepEqual(violations, []);
  });

  it('has no import cycles', () => {
    const graph = new Map(files.map((f) => [f, localImports(f)]));
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('keeps every source file under 500 lines', () => {
    const long = files.filter((f) => readFileSync(f, 'utf8').split('\n').length > 500).map((f) => relative(SRC, f));
    assert.deepEqual(long, []);
  });
});
