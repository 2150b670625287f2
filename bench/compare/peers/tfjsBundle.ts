/**
 * Loads TensorFlow.js (core + cpu + wasm backends) the way a web user ships it: bundled.
 *
 * Why a bundle: tfjs-core's Node entry (dist/tf-core.node.js) carries no gradient functions, and the module that
 * registers them (dist/register_all_gradients.js) is bundler-only ESM (extensionless imports) that Node cannot
 * load. @tensorflow/tfjs (the union package) would pull in converter/data as well; tfjs-layers (for the
 * captioning workloads' LSTM, Embedding, Dense, LayerNormalization) is bundled as `tfl`, sharing core's engine (with the chained
 * tensor methods, x.flatten() and the like, which tfjs-layers calls and the union package registers). So we let esbuild
 * (already installed as tsx's dependency) bundle the four imports below once into node_modules/.cache, which is
 * exactly what webpack/vite do for a browser user of tfjs-core.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';

import type * as TFL from '@tensorflow/tfjs-layers';

/** tfjs-core's API, the wasm backend's setWasmPaths, and tfjs-layers as `tfl` (one bundle: one engine). */
export type Tfjs = typeof TF & { setWasmPaths(prefix: string): void; tfl: typeof TFL };

const require = createRequire(import.meta.url);

const entry = `export * from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
export * as tfl from '@tensorflow/tfjs-layers';
`;

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

export function loadTfjs(): Tfjs {
  const version = (
    JSON.parse(readFileSync(path.join(packageDir('@tensorflow/tfjs-core'), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const root = path.resolve(packageDir('@tensorflow/tfjs-core'), '../../..');
  const cacheDir = path.join(root, 'node_modules', '.cache', 'nabla-bench');
  const out = path.join(cacheDir, `tfjs-${version}-layers-chained.cjs`);
  if (!existsSync(out)) {
    mkdirSync(cacheDir, { recursive: true });
    const entryFile = path.join(cacheDir, 'tfjs-entry.mjs');
    writeFileSync(entryFile, entry);
    const esbuild = require('esbuild') as {
      buildSync(o: Record<string, unknown>): unknown;
    };
    esbuild.buildSync({
      entryPoints: [entryFile],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      outfile: `${out}.${process.pid}.tmp`,
      logLevel: 'error',
      nodePaths: [path.join(root, 'node_modules')],
    });
    renameSync(`${out}.${process.pid}.tmp`, out); // atomic: a concurrent run never loads half a file
  }
  return require(out) as Tfjs;
}

/** Where the backend's .wasm files live, for setWasmPaths (a directory prefix ending in '/'). */
export function wasmDir(): string {
  return path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/';
}
