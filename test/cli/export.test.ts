/**
 * `nabla export <run> --format onnx`: the file the command writes runs in onnxruntime (onnxruntime-web's
 * WebAssembly build) on MNIST test images, normalised as the file's metadata says, and gives the scores
 * nabla's loadRun model gives, to 1e-4; runs it cannot export and bad arguments are usage errors (status 2,
 * one line).
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/idx.js';
import { normalizeImages, type ImageNormalization } from '../../src/data/preprocess.js';
import { loadRun } from '../../src/solver/run.js';
import { expectClose, ortScores } from '../models/onnxRuntime.js';
import { ensureBuilt, nabla, runFolder, scratch } from './helpers.js';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

let cwd: string;
const runs: Record<string, string> = {};
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
  for (const [model, limit] of [
    ['cnn', '300'],
    ['softmax', '300'],
    ['knn', '100'],
  ] as const) {
    const out = path.join(cwd, `runs-${model}`);
    const r = nabla(['train', '--model', model, '--limit', limit, '--out', out], cwd);
    expect(r.status, r.stderr).toBe(0);
    runs[model] = runFolder(out, `-${model}`);
  }
});

/** One-line usage error, status 2. */
function expectUsage(args: string[], message: RegExp): void {
  const r = nabla(args, cwd);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

describe('nabla export --format onnx', () => {
  it.each(['cnn', 'softmax'])(
    'a %s run: onnxruntime on the exported file gives loadRun’s scores on test images',
    async (model) => {
      const file = path.join(cwd, `${model}.onnx`);
      const r = nabla(['export', runs[model], '--format', 'onnx', '-o', file], cwd);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`wrote ${file}`);
      expect(r.stdout).toMatch(/input "input" float32 \(N, .*output "scores" \(N, 10\)/);
      const bytes = new Uint8Array(readFileSync(file));
      // What a user of another runtime reads from the file to feed it.
      const meta = Object.fromEntries(
        onnx.ModelProto.decode(bytes).metadataProps.map((p) => [p.key, p.value]),
      );
      expect(JSON.parse(meta.classNames)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(meta.inputLayout).toBe(model === 'cnn' ? 'chw' : 'flat');
      const norm = JSON.parse(meta.normalization) as ImageNormalization;
      const mnist = loadMnist();
      const raw = mnist.XTest.get('0:16').reshape(16, 28, 28, 1);
      const X = normalizeImages(raw, norm, meta.inputLayout as 'chw' | 'flat', 'float32');
      const run = loadRun(runs[model]);
      const ours = run.model!.loss(X).toTypedArray();
      const { scores, dims } = await ortScores(bytes, X);
      expect(dims).toEqual([16, 10]);
      expectClose(ours, scores);
    },
  );

  it('writes <run>/model.onnx by default (--format defaults to onnx)', () => {
    const r = nabla(['export', runs.softmax], cwd);
    expect(r.status).toBe(0);
    expect(existsSync(path.join(runs.softmax, 'model.onnx'))).toBe(true);
  });

  it.each([
    [['export', 'no-such-run'], /^nabla: no such run folder or checkpoint: 'no-such-run'$/],
    [['export', '.', '--format', 'tflite'], /^nabla export: .*'tflite'.*onnx/],
    [['export'], /^nabla export: missing required argument 'run'/],
  ])('nabla %j is a usage error', (args, message) => expectUsage(args, message));

  it('a kNN run is refused: it has no weights to export', () => {
    expectUsage(
      ['export', runs.knn],
      /^nabla: export: '.*' is a kNN run .*ONNX export takes the trained classifiers/,
    );
  });

  it('-o naming a folder is refused', () => {
    expectUsage(['export', runs.softmax, '-o', cwd], /is a folder; give the \.onnx file's path$/);
  });
});
