/**
 * The import rule of docs/architecture.md, read from the source: each folder of src/ imports only the
 * layers its row allows (type imports and dynamic imports count too), and the root helpers nodeFiles.ts and
 * optionalPackage.ts are open to all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** docs/architecture.md's "may import" column (backend, the bottom layer, is open to every layer above it). */
const mayImport: Record<string, readonly string[]> = {
  backend: [],
  ndarray: ['backend'],
  nn: ['ndarray', 'backend'],
  'nn/modules': ['nn', 'autograd', 'ndarray', 'backend'],
  autograd: ['nn', 'ndarray', 'backend'],
  optim: ['autograd', 'ndarray', 'backend'],
  models: ['nn', 'autograd', 'optim', 'ndarray', 'backend'],
  data: ['ndarray', 'backend'],
  solver: ['models', 'nn', 'autograd', 'optim', 'data', 'ndarray', 'backend'],
  features: ['models', 'nn', 'autograd', 'optim', 'ndarray', 'backend'],
  vis: ['ndarray', 'backend'],
};
const openToAll = new Set(['nodeFiles.ts', 'optionalPackage.ts']);

/** Imports that break the rule and are known: each names who is to remove it. Keep this list empty. */
const knownViolations = new Set<string>([]);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The layer of a file relative to src: its top folder, or nn/modules for the modules. */
function layerOf(rel: string): string | null {
  if (rel.startsWith('nn/modules/')) return 'nn/modules';
  return rel.includes('/') ? rel.split('/')[0] : null;
}

/** Every relative import (static, type-only, re-export or dynamic) of a file, resolved to src-relative paths. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1],
  );
  return specs.map((s) => path.relative(src, path.resolve(path.dirname(file), s)).replace(/\.js$/, '.ts'));
}

describe('the layering of src/ (docs/architecture.md)', () => {
  it('reads the rule', () => {
    // A folder the table does not know is a layer the map (and this test) must be told about.
    const folders = fs
      .readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => f !== 'cli' && !(f in mayImport))).toEqual([]);
  });

  it('no folder imports a layer its row does not allow', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(src)) {
      const rel = path.relative(src, file);
      const from = layerOf(rel);
      if (from === null || from === 'cli') continue; // the root entry points and the command see everything
      for (const target of importsOf(file)) {
        // nn/modules is part of nn for the layers above; nn's own layer functions do not import it.
        const to = layerOf(target) === 'nn/modules' && from !== 'nn' ? 'nn' : layerOf(target);
        if (to === null ? openToAll.has(target) : to === from || mayImport[from].includes(to)) continue;
        violations.push(`${rel} -> ${target}`);
      }
    }
    expect(violations.filter((v) => !knownViolations.has(v))).toEqual([]);
    // A fixed violation leaves the list, so that it cannot come back unseen.
    expect([...knownViolations].filter((v) => !violations.includes(v))).toEqual([]);
  });
});
