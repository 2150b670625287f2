/**
 * The web build (`npm run build:web`, run by `npm run prepare` too): Vite, one config for every page.
 *
 *   web/dist/nabla.js           the library for pages and Web Workers (src/browser.ts), an ES module
 *   web/dist/demo/index.html    the training demo (web/demo/), served by `nabla demo`
 *   web/dist/demo/mnist.bin     its MNIST subset (see plugins.ts)
 *   web/dist/dashboard/         the training dashboard (web/dashboard/), served by `nabla ui` and `nabla train --ui`
 *   web/dist/assets/*           the pages' scripts, workers and styles, content-hashed
 *
 * A page is a folder web/<name>/ with an index.html; add it to PAGES below. `base: './'` makes every URL in
 * the output relative, so web/dist/ can be served from any path of any static server.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistSubset, noNodeBuiltins } from './plugins.js';

const webDir = path.dirname(fileURLToPath(import.meta.url));

/** The HTML pages: web/<name>/index.html → web/dist/<name>/index.html. */
export const PAGES = ['demo', 'dashboard'];

export default defineConfig({
  root: webDir,
  base: './',
  publicDir: false,
  clearScreen: false,
  logLevel: 'warn',
  plugins: [noNodeBuiltins(), mnistSubset()],
  worker: {
    // The training Worker is a module Worker: nabla uses top-level await and dynamic imports.
    format: 'es',
    plugins: () => [noNodeBuiltins()],
  },
  build: {
    outDir: path.join(webDir, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The demo's MNIST subset is one 4.7 MB file, on purpose.
    chunkSizeWarningLimit: 5000,
    rolldownOptions: {
      input: {
        nabla: path.resolve(webDir, '../src/browser.ts'),
        ...Object.fromEntries(PAGES.map((p) => [p, path.join(webDir, p, 'index.html')])),
      },
      // nabla.js is a library: keep its exports (pages' entries have none to keep).
      preserveEntrySignatures: 'exports-only',
      // The MNIST subset's child process dominates the build's time, expectedly: no timing report.
      checks: { pluginTimings: false },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'nabla' ? 'nabla.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
