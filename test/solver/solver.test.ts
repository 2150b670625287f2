import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Generator, type NDArray } from '../../src/ndarray/index.js';
import { FullyConnectedNet } from '../../src/models/fullyConnectedNet.js';
import { TwoLayerNet } from '../../src/models/twoLayerNet.js';
import { Solver, type SolverEvent } from '../../src/solver/index.js';
import type { OptimConfig } from '../../src/optim/index.js';
import { solverData as data, statefulNet } from './fixtures.js';

describe('Solver', () => {
  it('trains a TwoLayerNet: histories have the course shapes, loss falls, params end at the best', () => {
    const d = data();
    const model = new TwoLayerNet({
      inputDim: 12,
      hiddenDim: 20,
      numClasses: 4,
      weightScale: 1e-1,
      dtype: 'float64',
    });
    const events: SolverEvent[] = [];
    const lines: string[] = [];
    const solver = new Solver(model, d, {
      updateRule: 'sgdMomentum',
      optimConfig: { learningRate: 5e-2 },
      lrDecay: 0.9,
      batchSize: 20,
      numEpochs: 5,
      printEvery: 10,
      log: (l) => lines.push(l),
      onEvent: (e) => events.push(e),
    });
    const epochs: number[] = [];
    solver.on('epoch', (e) => epochs.push(e.epoch));
    solver.train();
    expect(solver.lossHistory.length).toBe(50); // 5 epochs × 200/20
    expect(solver.trainAccHistory.length).toBe(6); // the first iteration and each epoch end
    expect(solver.valAccHistory.length).toBe(6);
    expect(epochs).toEqual([0, 1, 2, 3, 4, 5]);
    const first = solver.lossHistory.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = solver.lossHistory.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(first * 0.6);
    expect(solver.bestValAcc).toBe(Math.max(...solver.valAccHistory));
    expect(solver.bestValAcc).toBeGreaterThan(0.6);
    // Per-parameter configs, each with its own velocity, and the learning rate decayed 5 times.
    expect(solver.optimConfigs.W1.velocity!.shape).toEqual([12, 20]);
    expect(solver.optimConfigs.b2.velocity!.shape).toEqual([4]);
    expect(solver.optimConfigs.W1.learningRate).toBeCloseTo(5e-2 * 0.9 ** 5, 15);
    // The model holds the best params: validation accuracy equals the best seen.
    expect(solver.checkAccuracy(d.XVal, d.yVal)).toBe(solver.bestValAcc);
    expect(lines[0]).toMatch(/^\(Iteration 1 \/ 50\) loss: \d\.\d{6}$/);
    expect(lines.some((l) => /^\(Epoch 5 \/ 5\) train acc: [\d.]+; val_acc: [\d.]+$/.test(l))).toBe(true);
    const its = events.filter((e) => e.type === 'iteration');
    expect(its.length).toBe(50);
    expect(its[49]).toMatchObject({
      iteration: 50,
      numIterations: 50,
      epoch: 5,
      loss: solver.lossHistory[49],
    });
    expect(its.every((e) => e.type === 'iteration' && e.imagesPerSec > 0)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'end', iterations: 50, bestValAcc: solver.bestValAcc });
  });

  it('accepts an update rule as a function, and rejects unknown names', () => {
    const d = data();
    const model = new TwoLayerNet({ inputDim: 12, hiddenDim: 5, numClasses: 4, dtype: 'float64' });
    let calls = 0;
    const rule = (w: NDArray, dw: NDArray, c: OptimConfig = {}): [NDArray, OptimConfig] => {
      calls++;
      return [w.sub(dw.mul(0.1)), c]; // a new array: the Solver copies it back in place
    };
    const W1 = model.params.W1;
    const before = W1.copy();
    new Solver(model, d, { updateRule: rule, numEpochs: 1, batchSize: 100, verbose: false }).train();
    expect(calls).toBe(2 * 4);
    expect(model.params.W1).toBe(W1);
    expect(W1.sub(before).abs().max().item()).toBeGreaterThan(0);
    expect(() => new Solver(model, d, { updateRule: 'adagrad' })).toThrow(/invalid updateRule 'adagrad'/);
  });

  it('checkAccuracy subsamples and batches', () => {
    const d = data();
    const model = new TwoLayerNet({ inputDim: 12, hiddenDim: 5, numClasses: 4, dtype: 'float64' });
    const solver = new Solver(model, d, { verbose: false });
    const scores = model.loss(d.XTrain);
    const pred = scores.argmax(1);
    const acc = pred.eq(d.yTrain).astype('float64').mean().item();
    expect(solver.checkAccuracy(d.XTrain, d.yTrain, null, 7)).toBeCloseTo(acc, 12);
    const sub = solver.checkAccuracy(d.XTrain, d.yTrain, 30);
    expect(Math.round(sub * 30)).toBeCloseTo(sub * 30, 9);
  });

  it('overfits 50 examples to 100% training accuracy within 20 epochs (FC net)', () => {
    const g = new Generator(4);
    const X = g.randn(50, 3, 8, 8);
    const y = g.randint(0, 10, [50]);
    const model = new FullyConnectedNet({
      hiddenDims: [100, 100],
      inputDim: 192,
      weightScale: 5e-2,
      dtype: 'float32',
      seed: 1,
    });
    const solver = new Solver(
      model,
      { XTrain: X, yTrain: y, XVal: X, yVal: y },
      {
        updateRule: 'adam',
        optimConfig: { learningRate: 2e-3 },
        batchSize: 10,
        numEpochs: 20,
        verbose: false,
      },
    );
    solver.train();
    expect(Math.max(...solver.trainAccHistory)).toBe(1);
  });

  it('resume continues exactly: same losses and params as an uninterrupted run', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nabla-solver-'));
    try {
      const d = data(120, 30);
      const make = () => statefulNet();
      const opts = {
        updateRule: 'adam',
        optimConfig: { learningRate: 5e-3 },
        lrDecay: 0.95,
        batchSize: 20,
        numEpochs: 4,
        numTrainSamples: 50,
        verbose: false,
        seed: 7,
      } as const;
      const full = make();
      const a = new Solver(full, d, { ...opts, checkpointName: path.join(dir, 'run') });
      a.train();
      expect(readdirSync(dir).sort()).toEqual(
        [1, 2, 3, 4].flatMap((e) => [`run_epoch_${e}.json`, `run_epoch_${e}.npz`]).sort(),
      );
      const resumedModel = make();
      const b = Solver.resume(path.join(dir, 'run_epoch_2.json'), resumedModel, d, opts);
      expect(b.epoch).toBe(2);
      expect(b.iteration).toBe(12);
      expect(b.lossHistory).toEqual(a.lossHistory.slice(0, 12));
      b.train();
      expect(b.lossHistory).toEqual(a.lossHistory);
      expect(b.trainAccHistory).toEqual(a.trainAccHistory);
      expect(b.valAccHistory).toEqual(a.valAccHistory);
      for (const [p, w] of Object.entries(full.params))
        expect(resumedModel.params[p].toArray(), p).toEqual(w.toArray());
      for (const [k, v] of Object.entries(full.buffers()))
        expect(resumedModel.buffers()[k].toArray(), k).toEqual(v.toArray());
      expect(b.optimConfigs.W1.t).toBe(a.optimConfigs.W1.t);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
