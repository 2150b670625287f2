/**
 * What `nabla` must refuse rather than use silently: a run whose parameters diverged (no NaN checkpoint left
 * as the latest), checkpoints whose parameters are not finite or not of the dtype their metadata says
 * (eval, predict and --resume name the parameter; eval --allow-nonfinite proceeds with a warning), and
 * usage errors that used to be found only after a run folder was made.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src/data/image.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { toNpz } from '../../src/ndarray/npy.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../src/solver/checkpoint.js';
import { zeros } from '../../src/ndarray/creation.js';
import { ensureBuilt, nabla, scratch, type Result } from './helpers.js';

let cwd: string;
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
}, 300_000);

/** A copy of `a` with `value` at flat index `i`. */
function withValue(a: NDArray, i: number, value: number): NDArray {
  const d = Float32Array.from(a.toTypedArray() as Float32Array);
  d[i] = value;
  return new NDArray(d, [...a.shape], 'float32');
}

/** status 2 and one line on stderr, matching `message` (train --resume names the run on stdout first). */
function expectUsageError(r: Result, message: RegExp): void {
  expect(r.stdout).toMatch(/^(resuming +\S+\n)?$/);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.status).toBe(2);
}

describe('a run that diverges', () => {
  it('train --lr 1e308 --limit 64 exits 1 saying so, and leaves no checkpoint of non-finite parameters', () => {
    const out = path.join(cwd, 'runs-diverge');
    const r = nabla(['train', '--lr', '1e308', '--limit', '64', '--out', out], cwd);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^nabla: (parameter '[\w.]+' is no longer finite|loss (became|exploded)).*--lr/);
    const [run] = readdirSync(out);
    // Either no checkpoint at all (it diverged in its first epoch), or the last good one.
    if (existsSync(path.join(out, run, 'checkpoint.npz'))) loadCheckpoint(path.join(out, run));
    const ev = nabla(['eval', path.join(out, run), '--limit', '64'], cwd);
    expect(ev.status).toBe(2);
  });
});

describe('checkpoints that must not be used', () => {
  let good: string;
  let ck: Checkpoint;
  let image: string;
  beforeAll(() => {
    const out = path.join(cwd, 'runs-good');
    const r = nabla(
      ['train', '--model', 'two-layer', '--hidden', '10', '--limit', '64', '--epochs', '2', '--out', out],
      cwd,
    );
    expect(r.status).toBe(0);
    good = path.join(out, readdirSync(out)[0]);
    ck = loadCheckpoint(good);
    image = path.join(cwd, 'digit.png');
    writeImage(image, zeros([28, 28, 1], 'uint8'));
  }, 120_000);

  /** A copy of the good run whose checkpoint holds `arrays` (written with the library's saveCheckpoint). */
  function variant(name: string, arrays: Record<string, NDArray>): string {
    const dir = path.join(cwd, name);
    mkdirSync(dir);
    for (const f of ['config.json', 'metrics.jsonl'])
      writeFileSync(path.join(dir, f), readFileSync(path.join(good, f)));
    saveCheckpoint(dir, ck.meta, arrays);
    return dir;
  }

  it('a parameter holding NaN: eval, predict and --resume refuse, naming it; eval --allow-nonfinite warns and goes on', () => {
    const dir = variant('nan', { ...ck.arrays, 'params/b2': withValue(ck.arrays['params/b2'], 3, NaN) });
    const refusal = /parameter 'b2' holds NaN at flat index 3: the run diverged/;
    expectUsageError(nabla(['eval', dir, '--limit', '64'], cwd), refusal);
    expectUsageError(nabla(['predict', dir, image], cwd), refusal);
    expectUsageError(nabla(['train', '--resume', dir], cwd), refusal);

    const r = nabla(['eval', dir, '--limit', '64', '--allow-nonfinite', '--json'], cwd);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^nabla eval: warning: parameter 'b2' holds NaN or Infinity/);
    expect(JSON.parse(r.stdout).count).toBe(64);
  });

  it.each([
    ['not JSON', '{"job": {"model', /config\.json' is not a run's settings \(not JSON\)/],
    ['no job', '{"jobs": []}', /config\.json' is damaged: it has no "job" object/],
    ['an empty job', '{"job": {}}', /config\.json' is damaged: "job\.model" is missing or malformed/],
    [
      'epochs as text',
      (cfg: string) => cfg.replace(/"epochs": \d+/, '"epochs": "two"'),
      /config\.json' is damaged: "job\.epochs" is missing or malformed/,
    ],
  ])('a damaged config.json (%s): --resume names the file, and changes nothing', (what, text, refusal) => {
    const dir = variant(`config-${what.replace(/\W/g, '-')}`, ck.arrays);
    const file = path.join(dir, 'config.json');
    const good = readFileSync(file, 'utf8');
    const damaged = typeof text === 'string' ? text : text(good);
    expect(damaged).not.toBe(good);
    writeFileSync(file, damaged);
    const before = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
    expectUsageError(nabla(['train', '--resume', dir], cwd), refusal);
    expect(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).toBe(before);
  });

  it('an Infinity among the parameters is refused the same way', () => {
    const dir = variant('inf', {
      ...ck.arrays,
      'params/W1': withValue(ck.arrays['params/W1'], 5, -Infinity),
    });
    expectUsageError(
      nabla(['eval', dir, '--limit', '64'], cwd),
      /parameter 'W1' holds -Infinity at flat index 5/,
    );
  });

  it('int32 parameters where the metadata says float32: refused with the name and both dtypes', () => {
    // The arrays of the .npz as an attacker or a buggy tool would write them: the index unchanged.
    const dir = variant('int32', ck.arrays);
    const metaBytes = new TextEncoder().encode(JSON.stringify(ck.meta));
    const npz = toNpz({
      ...ck.arrays,
      'params/W2': ck.arrays['params/W2'].astype('int32'),
      meta: new NDArray(metaBytes, [metaBytes.length], 'uint8'),
    });
    writeFileSync(path.join(dir, 'checkpoint.npz'), npz);
    const refusal = /'params\/W2' .* is int32, its metadata says float32/;
    expectUsageError(nabla(['eval', dir, '--limit', '64'], cwd), refusal);
    expectUsageError(nabla(['predict', dir, image], cwd), refusal);
    expectUsageError(nabla(['train', '--resume', dir], cwd), refusal);
  });

  it('int32 parameters with an index to match: the run was float32, so refused all the same', () => {
    const dir = variant('int32-index', { ...ck.arrays, 'params/W2': ck.arrays['params/W2'].astype('int32') });
    const refusal = /parameter 'W2' is int32; the run's parameters are float32/;
    expectUsageError(nabla(['eval', dir, '--limit', '64'], cwd), refusal);
    expectUsageError(nabla(['train', '--resume', dir], cwd), refusal);
  });
});

describe('usage errors found before a run folder exists', () => {
  it.each([
    [
      'an unknown layer type',
      ['--model', 'badlayers.json'],
      /badlayers\.json: layer 1: unknown type 'conv2'/,
    ],
    ['--dropout 0', ['--model', 'fc', '--dropout', '0'], /--dropout: must be in \(0, 1\], got 0/],
  ])('%s: status 2, one line, nothing written', (_, args, message) => {
    writeFileSync(
      path.join(cwd, 'badlayers.json'),
      JSON.stringify([
        { type: 'conv2', filters: 4 },
        { type: 'linear', out: 'classes' },
      ]),
    );
    const out = path.join(cwd, 'runs-usage');
    mkdirSync(out, { recursive: true });
    expectUsageError(nabla(['train', ...args, '--limit', '64', '--out', out], cwd), message);
    expect(readdirSync(out)).toEqual([]);
  });
});
