/**
 * The browser bundle's guard (web/build.ts): src/browser.ts bundles for browsers without reaching a
 * Node.js built-in, and a static import of one fails the build, naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { noNodeBuiltins } from '../../web/build.js';

const bundle = (entry: string) =>
  esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  });

describe('the browser bundle', () => {
  it('holds src/browser.ts with Node built-ins only behind dynamic imports', async () => {
    const result = await bundle(path.resolve('src/browser.ts'));
    const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports);
    const node = imports.filter((i) => i.path.startsWith('node:'));
    expect(node.length).toBeGreaterThan(0); // nodeFiles.ts and the wasm pool load them under Node
    expect(node.every((i) => i.kind === 'dynamic-import' && i.external)).toBe(true);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('src/solver/solver.ts');
    expect(inputs.some((f) => f.startsWith('src/data/') || f.startsWith('src/cli/'))).toBe(false);
  });

  it('fails on a static import of a Node built-in, naming the importer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nabla-web-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      writeFileSync(entry, "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n");
      const error = await bundle(entry).then(
        () => null,
        (e: esbuild.BuildFailure) => e,
      );
      expect(error?.errors.map((e) => e.text)).toEqual([
        `${path.relative(process.cwd(), entry)} imports the Node.js built-in 'node:fs', which browsers do not have`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
