/**
 * Vite plugins of the web build (web/vite.config.ts):
 *
 *   noNodeBuiltins()   a browser bundle must not reach a Node.js built-in
 *   mnistSubset()      the demo's MNIST subset, demo/mnist.bin (web/mnistSubset.ts)
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

const NODE_BUILTIN = /^(node:|(fs|path|os|worker_threads|crypto|http|https|zlib|child_process|module|url)$)/;

/**
 * A static `import ... from 'node:fs'` fails the build, naming the importing file. A dynamic
 * `import('node:...')` stays in the bundle, unresolved: nabla only runs those under Node (src/nodeFiles.ts,
 * src/backend/wasm/pool.ts). Runs before Vite's own resolver, which would swap built-ins for an empty stub.
 */
export function noNodeBuiltins(): Plugin {
  return {
    name: 'nabla:no-node-builtins',
    enforce: 'pre',
    // Builds only: the dev server's dependency scan would see dynamic imports as static ones.
    apply: 'build',
    resolveDynamicImport(specifier) {
      if (typeof specifier === 'string' && NODE_BUILTIN.test(specifier))
        return { id: specifier, external: true };
      return null;
    },
    resolveId(source, importer) {
      if (!NODE_BUILTIN.test(source)) return null;
      const from = importer ? path.relative(root, importer) : '(entry)';
      this.error(`${from} imports the Node.js built-in '${source}', which browsers do not have`);
    },
  };
}

/**
 * The demo's MNIST subset (web/mnistSubset.ts), made in a child process: nabla's data loader runs under
 * Node as nabla, not inside Vite's bundled config.
 */
export function mnistBytes(): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'web/mnistSubset.ts')],
      { encoding: 'buffer', maxBuffer: 64 << 20, cwd: root },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`web/mnistSubset.ts failed: ${stderr.toString() || err.message}`));
        else resolve(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength));
      },
    );
  });
}

/** Writes `fileName` (relative to the output folder) on build, and serves it from the dev server. */
export function mnistSubset(fileName = 'demo/mnist.bin'): Plugin {
  let bytes: Promise<Uint8Array> | null = null;
  const get = () => (bytes ??= mnistBytes());
  return {
    name: 'nabla:mnist-subset',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName, source: await get() });
    },
    configureServer(server) {
      server.middlewares.use(`/${fileName}`, (_req, res, next) => {
        get().then((b) => {
          res.setHeader('content-type', 'application/octet-stream');
          res.end(b);
        }, next);
      });
    },
  };
}
