/**
 * The in-browser demo's time to 90% held-out accuracy: `npx tsx bench/demo.ts [root=.] [runs=3]`. Builds the
 * web pages of the nabla tree at `root` (so an old checkout can be measured the same way), serves them with
 * `nabla demo`'s handler, opens the demo in headless Chromium (/usr/bin/chromium or NABLA_CHROMIUM), presses
 * Start and times until the Worker reports more than 90% accuracy on the 1,000 held-out digits; Reset between
 * runs. Prints which wasm build the page's nabla runs (backendInfo() in the page) and each run's seconds and
 * iterations. A measurement, not a test: timings belong in bench/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(process.argv[2] ?? '.');
const runs = Number(process.argv[3] ?? 3);
const chromium = process.env.NABLA_CHROMIUM || '/usr/bin/chromium';
const { chromium: launcher } = await import('playwright-core');
const { buildWeb } = (await import(pathToFileURL(path.join(root, 'web/buildWeb.ts')).href)) as {
  buildWeb(out: string): Promise<void>;
};
const { startDemo } = (await import(pathToFileURL(path.join(root, 'src/cli/commands/demo.ts')).href)) as {
  startDemo(f: { port: number; assetsDir: string }): Promise<{ url: string; close(): Promise<void> }>;
};

const dist = mkdtempSync(path.join(tmpdir(), 'nabla-demo-bench-'));
const profile = mkdtempSync(path.join(tmpdir(), 'nabla-demo-chromium-'));
await buildWeb(dist);
const server = await startDemo({ port: 0, assetsDir: dist });
const context = await launcher.launchPersistentContext(profile, {
  executablePath: chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await context.newPage();
  await page.goto(server.url);
  const wait = (fn: string) =>
    page.waitForFunction(`(${fn})(window.nablaDemo)`, undefined, { timeout: 300_000, polling: 50 });
  await wait('(d) => d && d.ready && d.inspections > 0');
  // The page's own nabla (the library bundle at the site's root), in the page's thread: the same engine as
  // the Worker's.
  const info = await page.evaluate(async () => {
    const m = await import(new URL('../nabla.js', location.href).href);
    return m.backendInfo();
  });
  console.log(
    `demo bench: ${root}, Chromium ${context.browser()?.version() ?? ''}, page backend ${JSON.stringify(info)}`,
  );
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await page.click('#toggle');
    await wait('(d) => d.accuracy > 0.9');
    const s = (performance.now() - t0) / 1000;
    const d = (await page.evaluate('window.nablaDemo')) as { iteration: number; accuracy: number };
    console.log(
      `run ${r + 1}: ${s.toFixed(2)} s to ${(d.accuracy * 100).toFixed(1)}% held-out accuracy, ${d.iteration} iterations`,
    );
    await page.click('#toggle');
    await wait('(d) => !d.running && !d.training');
    await page.click('#reset');
    await wait('(d) => d.ready && d.iteration === 0 && d.losses.length === 0');
  }
} finally {
  await context.close();
  await server.close();
  rmSync(dist, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
