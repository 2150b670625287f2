/**
 * The checkpoint format (src/solver/checkpoint.ts): a round trip of every dtype, the .npz as the commit
 * (a stale or missing .json changes nothing), what loading refuses (no .npz, not a checkpoint, a newer
 * version, arrays that differ from the index, non-finite parameters), format-1 pairs (metadata in the
 * .json only, paired by sha256) still loading, and the removal of interrupted writes' temporary files.
 */
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { fromNpz, toNpz } from '../../src/ndarray/npy.js';
import { sha256Hex } from '../../src/nodeFiles.js';
import { loadModelArrays } from '../../src/solver/state.js';
import {
  CHECKPOINT_VERSION,
  CheckpointError,
  checkpointPaths,
  loadCheckpoint,
  readCheckpointMeta,
  removeStaleTemps,
  saveCheckpoint,
} from '../../src/solver/checkpoint.js';

const golden = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nabla-checkpoint-'));
});

const arr = (values: number[], shape: number[], dtype: 'float32' | 'float64' | 'int32' | 'uint8') =>
  new NDArray(
    { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array }[dtype].from(
      values,
    ),
    shape,
    dtype,
  );

const sample = () => ({
  'params/W': arr([0.5, -1.25, 3, 1e-3, 2, 7], [2, 3], 'float32'),
  'params/b': arr([0.1, -0.2, 1 / 3], [3], 'float64'),
  'solver/order': arr([2, 0, 1], [3], 'int32'),
  'data/pixels': arr([0, 255, 17, 3], [2, 2], 'uint8'),
});

/** The pair's path without its extension. */
const base = () => path.join(dir, 'checkpoint');

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips every array (values, shape, dtype) and the metadata; the .json indexes the .npz', () => {
    const arrays = sample();
    const paths = saveCheckpoint(dir, { step: 7, run: { name: 'x' } }, arrays);
    expect(paths).toEqual({ json: path.join(dir, 'checkpoint.json'), npz: path.join(dir, 'checkpoint.npz') });
    const ck = loadCheckpoint(dir);
    expect(Object.keys(ck.arrays).sort()).toEqual(Object.keys(arrays).sort());
    for (const [name, a] of Object.entries(arrays)) {
      expect(ck.arrays[name].dtype, name).toBe(a.dtype);
      expect(ck.arrays[name].shape, name).toEqual(a.shape);
      expect(Array.from(ck.arrays[name].toTypedArray()), name).toEqual(Array.from(a.toTypedArray()));
    }
    expect(ck.meta).toMatchObject({ format: 'nabla-checkpoint', version: CHECKPOINT_VERSION, step: 7 });
    expect(ck.meta.run).toEqual({ name: 'x' });
    expect(ck.meta.arrays['params/W']).toEqual({ shape: [2, 3], dtype: 'float32' });

    const json = readCheckpointMeta(dir);
    expect(json.npzSha256).toBe(sha256Hex(readFileSync(paths.npz)));
    expect(json.step).toBe(7);
    // The .npz alone is complete: its `meta` member is the metadata as UTF-8 JSON (np.load(f)['meta']).
    const raw = fromNpz(readFileSync(paths.npz));
    expect(raw.meta.dtype).toBe('uint8');
    const inside = JSON.parse(new TextDecoder().decode(raw.meta.toTypedArray() as Uint8Array));
    expect(inside).toMatchObject({ step: 7, arrays: ck.meta.arrays });
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'checkpoint.npz']); // no temp left
  });

  it('names the pair from a folder, either file, or the path without extension', () => {
    saveCheckpoint(base(), { step: 1 }, sample());
    for (const arg of [dir, base(), `${base()}.json`, `${base()}.npz`])
      expect(checkpointPaths(arg)).toEqual({ json: `${base()}.json`, npz: `${base()}.npz` });
    expect(loadCheckpoint(`${base()}.json`).meta.step).toBe(1);
  });

  it("refuses an array named 'meta' (the metadata's place)", () => {
    expect(() => saveCheckpoint(dir, {}, { meta: arr([1], [1], 'uint8') })).toThrow(
      /saveCheckpoint: 'meta' is a reserved array name/,
    );
  });
});

describe('the .npz is the commit', () => {
  it('a stale .json (killed before the new one was written) is ignored: the .npz has the metadata', () => {
    saveCheckpoint(dir, { step: 1 }, sample());
    const older = readFileSync(path.join(dir, 'checkpoint.json'));
    const arrays = { ...sample(), 'params/W': arr([9, 9, 9, 9, 9, 9], [2, 3], 'float32') };
    saveCheckpoint(dir, { step: 2 }, arrays);
    writeFileSync(path.join(dir, 'checkpoint.json'), older);
    const ck = loadCheckpoint(dir);
    expect(ck.meta.step).toBe(2);
    expect(Array.from(ck.arrays['params/W'].toTypedArray())).toEqual([9, 9, 9, 9, 9, 9]);
  });

  it('a missing .json (killed before the first one was written) is no loss either', () => {
    saveCheckpoint(dir, { step: 3 }, sample());
    rmSync(path.join(dir, 'checkpoint.json'));
    expect(loadCheckpoint(dir).meta.step).toBe(3);
  });

  it('a missing .npz is an error naming it; so is a folder with neither file', () => {
    saveCheckpoint(dir, { step: 1 }, sample());
    rmSync(path.join(dir, 'checkpoint.npz'));
    expect(() => loadCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(dir)).toThrow(
      /checkpoint '.*checkpoint\.json' has lost its arrays: .*checkpoint\.npz is missing/,
    );
    rmSync(path.join(dir, 'checkpoint.json'));
    expect(() => loadCheckpoint(dir)).toThrow(
      /no checkpoint at '.*' \(neither .*checkpoint\.json nor .*checkpoint\.npz exists\)/,
    );
  });
});

describe('what loading refuses', () => {
  it('files that are not checkpoints, and a newer format version', () => {
    writeFileSync(path.join(dir, 'checkpoint.npz'), 'not a zip');
    expect(() => loadCheckpoint(dir)).toThrow(
      /checkpoint\.npz' is not a nabla checkpoint: fromNpz: bad magic/,
    );
    writeFileSync(path.join(dir, 'checkpoint.json'), '{"hello": 1}');
    rmSync(path.join(dir, 'checkpoint.npz'));
    expect(() => loadCheckpoint(dir)).toThrow(/is not a nabla checkpoint \(its JSON has no "format"/);
    saveCheckpoint(dir, {}, sample());
    const meta = JSON.parse(readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
    writeNpz({ ...sample() }, { ...meta, version: CHECKPOINT_VERSION + 1 });
    expect(() => loadCheckpoint(dir)).toThrow(
      new RegExp(
        `format version ${CHECKPOINT_VERSION + 1}, newer than this nabla reads \\(${CHECKPOINT_VERSION}\\): upgrade nabla`,
      ),
    );
  });

  /** An .npz written by hand: `arrays` with `meta` as its metadata (the index as the caller says). */
  function writeNpz(arrays: Record<string, NDArray>, meta: object): void {
    const bytes = new TextEncoder().encode(JSON.stringify(meta));
    writeFileSync(
      path.join(dir, 'checkpoint.npz'),
      toNpz({ ...arrays, meta: new NDArray(bytes, [bytes.length], 'uint8') }),
    );
  }

  it('an array whose dtype differs from the index: both dtypes and the array named', () => {
    saveCheckpoint(dir, {}, sample());
    const meta = readCheckpointMeta(dir);
    writeNpz({ ...sample(), 'params/W': sample()['params/W'].astype('int32') }, meta);
    expect(() => loadCheckpoint(dir)).toThrow(
      /checkpoint array 'params\/W' in '.*checkpoint\.npz' is int32, its metadata says float32/,
    );
  });

  it('an array whose shape differs from the index, or one the index lists that is not there', () => {
    saveCheckpoint(dir, {}, sample());
    const meta = readCheckpointMeta(dir);
    writeNpz({ ...sample(), 'params/W': sample()['params/W'].reshape(3, 2) }, meta);
    expect(() => loadCheckpoint(dir)).toThrow(
      /'params\/W' in .* has shape \(3, 2\), its metadata says \(2, 3\)/,
    );
    const { 'params/b': _, ...rest } = sample();
    writeNpz(rest, meta);
    expect(() => loadCheckpoint(dir)).toThrow(/lacks the array 'params\/b' its metadata lists/);
  });

  it.each([NaN, Infinity, -Infinity])(
    'a parameter holding %s: refused, naming it, the value and where; allowNonFinite loads it',
    (bad) => {
      const b = arr([0.1, bad, 0.3], [3], 'float64');
      saveCheckpoint(dir, {}, { ...sample(), 'params/b': b });
      expect(() => loadCheckpoint(dir)).toThrow(
        new RegExp(`parameter 'b' holds ${bad} at flat index 1: the run diverged`),
      );
      const ck = loadCheckpoint(dir, { allowNonFinite: true });
      expect(ck.arrays['params/b'].toTypedArray()[1]).toBe(bad);
    },
  );
});

describe('loadModelArrays (a checkpoint into a model)', () => {
  it('refuses integer parameters for a float model, naming the parameter and both dtypes; floats are cast', () => {
    const model = { params: { W: arr([0, 0], [2], 'float32') } };
    expect(() => loadModelArrays(model, { W: arr([1, 2], [2], 'int32') }, {}, 'here')).toThrow(
      /^here: saved parameter 'W' is int32; the model's is float32$/,
    );
    loadModelArrays(model, { W: arr([1.5, 2], [2], 'float64') }, {});
    expect(Array.from(model.params.W.toTypedArray())).toEqual([1.5, 2]);
  });
});

describe("format 1 (the command's, before: metadata in the .json only, paired by sha256)", () => {
  /** A format-1 pair: the .npz without metadata, the .json with the index and the .npz's sha256. */
  function writeV1(arrays: Record<string, NDArray>, sha?: string): void {
    const npz = toNpz(arrays);
    writeFileSync(path.join(dir, 'checkpoint.npz'), npz);
    const index = Object.fromEntries(
      Object.entries(arrays).map(([k, a]) => [k, { shape: [...a.shape], dtype: a.dtype }]),
    );
    writeFileSync(
      path.join(dir, 'checkpoint.json'),
      JSON.stringify({
        format: 'nabla-checkpoint',
        version: 1,
        arrays: index,
        npzSha256: sha ?? sha256Hex(npz),
        step: 5,
      }),
    );
  }

  it('loads, with the .json as its metadata', () => {
    writeV1(sample());
    const ck = loadCheckpoint(dir);
    expect(ck.meta.version).toBe(1);
    expect(ck.meta.step).toBe(5);
    expect(Array.from(ck.arrays['params/W'].toTypedArray())).toEqual([
      0.5,
      -1.25,
      3,
      Math.fround(1e-3),
      2,
      7,
    ]);
  });

  it('refuses a pair whose sha256 differs, and an .npz without its .json', () => {
    writeV1(sample(), '0'.repeat(64));
    expect(() => loadCheckpoint(dir)).toThrow(
      /does not match .*checkpoint\.npz \(sha256 differs\): the pair was mixed up or damaged/,
    );
    rmSync(path.join(dir, 'checkpoint.json'));
    expect(() => loadCheckpoint(dir)).toThrow(
      /is not a nabla checkpoint: .*checkpoint\.json \(its metadata\) is missing/,
    );
  });

  it('the checkpoint nabla 5afbff7 wrote (test/golden/checkpoint_v1) loads, non-finite and dtype checks included', () => {
    for (const f of ['checkpoint.json', 'checkpoint.npz'])
      copyFileSync(path.join(golden, 'checkpoint_v1', f), path.join(dir, f));
    const ck = loadCheckpoint(dir);
    expect(ck.meta.version).toBe(1);
    expect(ck.arrays['params/W'].shape).toEqual([785, 10]);
    expect(ck.arrays['params/W'].dtype).toBe('float32');
  });
});

describe('removeStaleTemps', () => {
  it("removes dead writers' temporary files of the named files, in both forms; keeps the rest", () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = [
      `.checkpoint.npz.${dead}.k2j3.tmp`,
      `.checkpoint.json.${dead}.a.tmp`,
      `checkpoint.npz.${dead}.00ff.tmp`,
      `.metrics.jsonl.${dead}.q.tmp`,
    ];
    const kept = [
      `.checkpoint.npz.${process.ppid}.live.tmp`, // a live writer (the test runner)
      `.other.npz.${dead}.x.tmp`, // not one of the named files
      'checkpoint.npz.tmp',
      'checkpoint.npz',
    ];
    for (const f of [...stale, ...kept]) writeFileSync(path.join(dir, f), '');
    expect(removeStaleTemps(dir, ['checkpoint.npz', 'checkpoint.json', 'metrics.jsonl']).sort()).toEqual(
      [...stale].sort(),
    );
    expect(readdirSync(dir).sort()).toEqual([...kept].sort());
    // By default, the checkpoint pair's.
    writeFileSync(path.join(dir, stale[0]), '');
    writeFileSync(path.join(dir, stale[3]), '');
    expect(removeStaleTemps(dir)).toEqual([stale[0]]);
    expect(existsSync(path.join(dir, stale[3]))).toBe(true);
    expect(removeStaleTemps(path.join(dir, 'nowhere'))).toEqual([]);
  });
});
