/**
 * Training steps per second of the course's conv net in headless Chromium, on one thread and on two:
 * `npx tsx bench/browserThreads.ts [reps=3]`. Bundles a Worker with esbuild from src/browser.ts, serves it
 * cross-origin isolated (COOP same-origin + COEP require-corp, at http://localhost) to headless Chromium
 * (/usr/bin/chromium or NABLA_CHROMIUM); the Worker awaits initThreads(2), then alternates 1 and 2 threads,
 * timing STEPS Adam steps of ThreeLayerConvNet (3x32x32, 32 filters 7x7, hidden 100, batch 50: the course's
 * defaults) each time, and prints each time and the median steps/s per count. A measurement, not a test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchChromium, serveFolder } from '../test/browser.js';

const reps = Number(process.argv[2] ?? 3);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = 10;

const WORKER = `
import { initThreads, setThreadCount, threadCount, Generator, ThreeLayerConvNet, updateRules } from ${JSON.stringify(path.join(root, 'src/browser.ts'))};
await initThreads(2);
const rng = new Generator(0);
const X = rng.randn(50, 3, 32, 32).astype('float32');
const y = rng.randint(0, 10, [50]);
const model = new ThreeLayerConvNet({ weightScale: 1e-2, seed: 0 });
const configs = {};
function steps() {
  for (let s = 0; s < ${STEPS}; s++) {
    const [, grads] = model.loss(X, y);
    for (const k of Object.keys(model.params)) {
      const [w, c] = updateRules.adam(model.params[k], grads[k], configs[k] ?? { learningRate: 1e-4 });
      model.params[k] = w;
      configs[k] = c;
    }
  }
}
steps(); // warm-up on two threads
const rows = [];
for (let r = 0; r < ${reps}; r++)
  for (const t of [1, 2]) {
    setThreadCount(t);
    const t0 = performance.now();
    steps();
    rows.push({ threads: threadCount(), stepsPerSec: ${STEPS} / ((performance.now() - t0) / 1000) });
  }
postMessage({ isolated: self.crossOriginIsolated, rows });
`;

const dir = mkdtempSync(path.join(tmpdir(), 'nabla-threads-bench-'));
writeFileSync(path.join(dir, 'worker.js'), WORKER);
await build({
  absWorkingDir: dir,
  entryPoints: ['worker.js'],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  outdir: path.join(dir, 'out'),
});
writeFileSync(
  path.join(dir, 'out', 'index.html'),
  `<!doctype html><script type="module">
new Worker('./worker.js', { type: 'module' }).onmessage = (e) => { window.result = e.data; };
</script>`,
);
const browser = await launchChromium({ viewport: { width: 400, height: 300 } });
try {
  const origin = 'http://localhost:8238';
  await serveFolder(browser.page, path.join(dir, 'out'), {
    origin,
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  });
  await browser.page.goto(`${origin}/index.html`);
  await browser.waitFor(() => (window as unknown as { result?: unknown }).result !== undefined);
  const r = (await browser.page.evaluate(() => (window as unknown as { result: unknown }).result)) as {
    isolated: boolean;
    rows: { threads: number; stepsPerSec: number }[];
  };
  console.log(`isolated: ${r.isolated}; ${STEPS} steps per timing`);
  for (const row of r.rows) console.log(`${row.threads} thread(s): ${row.stepsPerSec.toFixed(2)} steps/s`);
  for (const t of [1, 2]) {
    const v = r.rows
      .filter((row) => row.threads === t)
      .map((row) => row.stepsPerSec)
      .sort((a, b) => a - b);
    console.log(`median, ${t} thread(s): ${v[Math.floor(v.length / 2)].toFixed(2)} steps/s`);
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
