/**
 * `nabla demo` (src/cli/commands/demo.ts): serves a built web/dist — '/' redirects to the demo, the page and
 * its assets are served, nothing outside the folder is; a missing build is a clear error. And the real
 * command, spawned, prints the URL it serves.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type DemoServer } from '../../src/cli/commands/demo.js';

describe('nabla demo', () => {
  let dir: string;
  let demo: DemoServer;
  const get = (p: string) => fetch(new URL(p, demo.url), { redirect: 'manual' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nabla-demo-'));
    const dist = path.join(dir, 'dist');
    mkdirSync(path.join(dist, 'demo'), { recursive: true });
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(path.join(dist, 'assets', 'demo-abc.js'), 'export {};');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside');
    demo = await startDemo({ port: 0, assetsDir: dist });
  });

  afterAll(async () => {
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and names the page', () => {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/demo\/$/);
  });

  it('refuses a non-loopback --host without --allow-remote, and warns with it', async () => {
    const assetsDir = path.join(dir, 'dist');
    await expect(startDemo({ host: '0.0.0.0', port: 0, assetsDir })).rejects.toThrow(
      /nabla demo: refusing to listen on 0\.0\.0\.0.*--allow-remote/,
    );
    const open = await startDemo({ host: '0.0.0.0', port: 0, assetsDir, allowRemote: true });
    try {
      expect(open.warning).toMatch(/^warning: listening on 0\.0\.0\.0: anyone who can reach this machine/);
      expect(demo.warning).toBeNull();
    } finally {
      await open.close();
    }
  });

  it("redirects '/' and '/demo' to /demo/, and serves the page and its assets", async () => {
    for (const p of ['/', '/demo']) {
      const r = await get(p);
      expect(r.status).toBe(302);
      expect(r.headers.get('location')).toBe('/demo/');
    }
    const page = await get('/demo/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toBe('<!doctype html><title>demo</title>');
    const js = await get('/assets/demo-abc.js');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toBe('export {};');
    // Cross-origin isolated, so the training Worker's kernels can use threads.
    for (const r of [page, js]) {
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }
  });

  it('serves nothing outside the built folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/demo/%2e%2e%2f..%2fsecret.txt', '/nope.js']) {
      expect((await get(p)).status, p).toBe(404);
    }
    expect((await fetch(new URL('/demo/', demo.url), { method: 'POST' })).status).toBe(405);
  });

  it('says how to build the demo when it is not built', async () => {
    await expect(startDemo({ port: 0, assetsDir: path.join(dir, 'none') })).rejects.toThrow(
      /^nabla demo: the demo is not built \(.*index\.html is missing\): run npm run build:web$/,
    );
  });

  it('the command prints the URL it serves, and stops on SIGTERM', async () => {
    // src/cli/main.ts through tsx, as bin/nabla.js runs the built copy: no `npm run build` needed here.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--port', '0']);
    // The command serves the package's web/dist: built or not, it either prints its URL or says to build.
    const out = await new Promise<string>((resolve) => {
      let text = '';
      const seen = (b: Buffer) => {
        text += b.toString();
        if (/\n/.test(text)) resolve(text);
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
    });
    if (out.startsWith('nabla demo: http')) {
      const url = /http:\/\/127\.0\.0\.1:\d+\/demo\//.exec(out)![0];
      expect(out).toBe(`nabla demo: ${url}  (serving until Ctrl-C)\n`);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<canvas');
      child.kill('SIGTERM');
      expect(await new Promise((r) => child.on('exit', (code) => r(code)))).toBe(0);
    } else {
      expect(out).toMatch(/nabla demo: the demo is not built .* run npm run build:web/);
      await new Promise((r) => child.on('exit', r));
    }
  });
});
