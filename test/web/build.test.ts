/**
 * The web build's guard (web/plugins.ts, noNodeBuiltins): src/browser.ts bundles for browsers with Node.js
 * built-ins only behind dynamic imports, and a static import of one fails the build, naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { noNodeBuiltins } from '../../web/plugins.js';

/** Bundles `entry` as the web build does (Vite, the guard, ES2022), in memory. */
async function bundle(entry: string): Promise<Rolldown.OutputChunk> {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    plugins: [noNodeBuiltins()],
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      lib: { entry, formats: ['es'], fileName: 'bundle' },
    },
  });
  const outputs = Array.isArray(out) ? out : [out];
  const chunks = outputs.flatMap((o) => ('output' in o ? o.output : []));
  return chunks.find((c): c is Rolldown.OutputChunk => c.type === 'chunk' && c.isEntry)!;
}

describe('the browser bundle', () => {
  it('holds src/browser.ts with no Node built-in import, static or dynamic', async () => {
    const chunk = await bundle(path.resolve('src/browser.ts'));
    expect(chunk.imports).toEqual([]); // no static import is left unresolved
    // Node's modules are reached through process.getBuiltinModule at run time, never imported.
    expect([...new Set(chunk.dynamicImports)]).toEqual([]);
    const modules = Object.keys(chunk.modules).map((f) => path.relative(process.cwd(), f));
    expect(modules).toContain('src/solver/solver.ts');
    // Of src/data only pure-array modules (the Solver's minibatch seam, SimCLR's augmentation, the
    // eigensolver of the Fréchet distance); no loader, no CLI.
    const pure = ['batches.ts', 'captionDataset.ts', 'simclrAugment.ts', 'eigen.ts'].map(
      (f) => `src/data/${f}`,
    );
    const leaked = modules.filter(
      (f) => (f.startsWith('src/data/') && !pure.includes(f)) || f.startsWith('src/cli/'),
    );
    expect(leaked).toEqual([]);
    expect(chunk.exports).toEqual(
      expect.arrayContaining(['NDArray', 'Solver', 'ThreeLayerConvNet', 'setBackend']),
    );
  });

  it('fails on a static import of a Node built-in, naming the importer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nabla-web-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      writeFileSync(entry, "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n");
      const error = await bundle(entry).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toContain(
        `${path.relative(process.cwd(), entry)} imports the Node.js built-in 'node:fs', which browsers do not have`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
