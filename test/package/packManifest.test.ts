/**
 * The pack hooks (scripts/packManifest.mjs) on a scratch copy: the developer's package.json comes back byte
 * for byte after a pack, and an edit made while a pack that died left it stripped is never overwritten by
 * the older copy, neither by the next strip nor by restore.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { root } from '../cli/helpers.js';

let dir: string;
const manifest = (): string => path.join(dir, 'package.json');
const read = (): string => readFileSync(manifest(), 'utf8');
const hook = (step: 'strip' | 'restore'): void => {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'packManifest.mjs'), step], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
};
// Hand formatting (one line) that a JSON round trip would not reproduce.
const ORIGINAL =
  '{ "name": "x", "version": "1.0.0", "scripts": { "prepare": "node build.mjs", "test": "vitest" } }\n';

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nabla-manifest-'));
  mkdirSync(path.join(dir, 'scripts'));
  copyFileSync(path.join(root, 'scripts', 'packManifest.mjs'), path.join(dir, 'scripts', 'packManifest.mjs'));
  writeFileSync(manifest(), ORIGINAL);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/packManifest.mjs', () => {
  it('strips prepare for the tarball and restores the file byte for byte', () => {
    hook('strip');
    expect(JSON.parse(read()).scripts).toEqual({ test: 'vitest' });
    hook('restore');
    expect(read()).toBe(ORIGINAL);
    expect(existsSync(path.join(dir, '.package.json.prepack'))).toBe(false);
  });

  it('a pack that died, then the next pack: the original comes back', () => {
    hook('strip'); // ...and the pack dies before postpack
    hook('strip');
    hook('restore');
    expect(read()).toBe(ORIGINAL);
  });

  it('an edit made while the manifest was left stripped survives the next pack, with prepare back', () => {
    hook('strip'); // the pack dies; the developer then adds a dependency to the stripped file
    const edited = JSON.parse(read());
    edited.dependencies = { fflate: '^0.8.2' };
    writeFileSync(manifest(), JSON.stringify(edited, null, 2) + '\n');
    hook('strip');
    hook('restore');
    const pkg = JSON.parse(read());
    expect(pkg.dependencies).toEqual({ fflate: '^0.8.2' });
    expect(pkg.scripts).toEqual({ test: 'vitest', prepare: 'node build.mjs' });
  });

  it('an edit made during a pack is kept by restore, which only returns prepare', () => {
    hook('strip');
    writeFileSync(manifest(), read().replace('"1.0.0"', '"1.0.1"'));
    hook('restore');
    const pkg = JSON.parse(read());
    expect(pkg.version).toBe('1.0.1');
    expect(pkg.scripts.prepare).toBe('node build.mjs');
  });
});
