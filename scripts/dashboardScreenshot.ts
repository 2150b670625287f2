/**
 * Makes docs/img/dashboard.png, the README's picture of the dashboard: a `nabla train --ui` run of the
 * default CNN on 3,000 MNIST images for 3 epochs, photographed in headless Chromium when it has finished.
 *
 *   npm run build && npm run build:web && npx tsx scripts/dashboardScreenshot.ts [out.png]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'img', 'dashboard.png'));
const cwd = mkdtempSync(path.join(tmpdir(), 'nabla-shot-'));
const profile = mkdtempSync(path.join(tmpdir(), 'nabla-chromium-'));

const args = ['train', '--ui', '--port', '0', '--limit', '3000', '--epochs', '3', '--out', 'runs'];
const child = spawn(process.execPath, [path.join(root, 'bin', 'nabla.js'), ...args], { cwd });
let log = '';
child.stdout.on('data', (d) => (log += d));
child.stderr.on('data', (d) => process.stderr.write(d));
let url: string | undefined;
while (!(url = /dashboard {2}(http:\S+)/.exec(log)?.[1])) {
  if (child.exitCode !== null) throw new Error(`nabla exited early:\n${log}`);
  await new Promise((r) => setTimeout(r, 100));
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.NABLA_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 1300 },
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-sync',
  ],
});
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const d = (window as unknown as { nablaDashboard?: { liveStatus: string; confusion: boolean } })
        .nablaDashboard;
      return d?.liveStatus === 'done' && d.confusion;
    },
    undefined,
    { timeout: 600_000 },
  );
  await page.waitForTimeout(300);
  // The top of the page: stats, charts, filters and predictions (the confusion matrix is below).
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1280, height: 1190 } });
} finally {
  await context.close();
  child.kill('SIGINT');
  rmSync(profile, { recursive: true, force: true });
}
await new Promise((r) => child.once('exit', r));
rmSync(cwd, { recursive: true, force: true });
console.log(
  `${out}\n${log
    .split('\n')
    .filter((l) => /^test accuracy|^trained/.test(l))
    .join('\n')}`,
);
