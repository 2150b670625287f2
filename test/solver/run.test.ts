import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Generator, NDArray, zeros } from '../../src/ndarray/index.js';
import { arrayDataset } from '../../src/data/batches.js';
import { Solver, type Metric, type SolverOptions } from '../../src/solver/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/solver/checkpoint.js';
import type { Grads, LossModel } from '../../src/models/model.js';
import { cosineLr, stepDecay, warmupLr, composeLr, constantLr } from '../../src/optim/schedules.js';
import { solverData, statefulNet } from './fixtures.js';

const opts: SolverOptions = {
  updateRule: 'adam',
  optimConfig: { learningRate: 5e-3 },
  lrDecay: 0.95,
  batchSize: 20,
  numEpochs: 3,
  numTrainSamples: 50,
  verbose: false,
  seed: 7,
};

describe('Solver.run and state', () => {
  it('an aborted run, restored from its state mid-epoch (through a checkpoint file), continues the same losses', async () => {
    const d = solverData(120, 30);
    const full = statefulNet();
    const a = new Solver(full, d, opts);
    a.train();

    const model = statefulNet();
    const b = new Solver(model, d, opts);
    const stop = new AbortController();
    // Abort on the 8th step: mid-epoch (6 steps per epoch).
    b.on('iteration', (e) => {
      if (e.iteration === 8) stop.abort();
    });
    const r = await b.run({ signal: stop.signal, yieldEveryMs: 0 });
    expect(r).toEqual({ status: 'aborted', iteration: 8 });
    expect(b.sampler.order).not.toBeNull();
    const dir = mkdtempSync(path.join(tmpdir(), 'nabla-run-'));
    try {
      const { meta, arrays } = b.state();
      saveCheckpoint(path.join(dir, 'ck'), { ...meta }, arrays);
      const ck = loadCheckpoint(path.join(dir, 'ck.npz'));
      const again = statefulNet(99); // other initial weights: all must come from the state
      const c = Solver.restore(again, d, { meta: ck.meta as never, arrays: ck.arrays }, opts);
      expect(c.iteration).toBe(8);
      expect(c.learningRate).toBe(a.lrHistory[8]);
      const done = await c.run();
      expect(done.status).toBe('done');
      expect(c.lossHistory).toEqual(a.lossHistory);
      expect(c.lrHistory).toEqual(a.lrHistory);
      expect(c.valAccHistory).toEqual(a.valAccHistory);
      for (const [p, w] of Object.entries(full.params))
        expect(again.params[p].toArray(), p).toEqual(w.toArray());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run() gives the event loop turns: a timer fires while training', async () => {
    const d = solverData(400, 50);
    const s = new Solver(statefulNet(), d, { ...opts, batchSize: 10, numEpochs: 4 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await s.run({ yieldEveryMs: 0 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(s.done).toBe(true);
  });

  it('step() is one iteration; step() after the end throws', () => {
    const d = solverData(40, 10);
    const s = new Solver(statefulNet(), d, { ...opts, numEpochs: 1 });
    expect(s.numIterations).toBe(2);
    const l1 = s.step();
    expect(s.iteration).toBe(1);
    expect(s.lossHistory).toEqual([l1]);
    s.step();
    expect(s.done).toBe(true);
    expect(() => s.step()).toThrow(/Solver.step: training is done \(2 of 2 iterations\)/);
  });

  it('stopOnDivergence: run() returns diverged with advice when the loss stops being finite', async () => {
    const d = solverData(100, 20);
    const s = new Solver(statefulNet(), d, {
      ...opts,
      updateRule: 'sgd',
      optimConfig: { learningRate: 1e300 },
      stopOnDivergence: true,
      numEpochs: 5,
    });
    const r = await s.run();
    expect(r.status).toBe('diverged');
    expect(r.divergence!.message).toMatch(
      /loss (became (NaN|Infinity)|exploded) at iteration \d+|parameter '\w+' is no longer finite/,
    );
    expect(r.iteration).toBeLessThan(s.numIterations);
  });
});

/** A model with no labels: fits the mean of unlabelled vectors (loss = ½·mean ||x − mu||²). */
class MeanModel implements LossModel {
  params = { mu: zeros([3], 'float64') };
  loss(X: NDArray): [number, Grads] {
    const diff = X.sub(this.params.mu);
    const loss = 0.5 * diff.mul(diff).sum(1).mean().item();
    return [loss, { mu: diff.mean(0).mul(-1) }];
  }
}

describe('Solver on other tasks', () => {
  it('trains an unlabelled model from a dataset with a custom metric, and two-input batches reach the loss', () => {
    const X = new Generator(0).randn(200, 3).add(new NDArray(new Float64Array([1, -2, 3]), [3], 'float64'));
    const negDistance: Metric = {
      name: 'negDistance',
      evaluate: (model) => -(model as MeanModel).params.mu.sub(X.mean(0)).abs().max().item(),
    };
    const model = new MeanModel();
    const s = new Solver(
      model,
      { train: arrayDataset(X), val: arrayDataset(X) },
      {
        updateRule: 'sgd',
        optimConfig: { learningRate: 0.5 },
        batchSize: 50,
        numEpochs: 10,
        metric: negDistance,
        verbose: false,
      },
    );
    s.train();
    expect(s.valAccHistory.at(-1)!).toBeGreaterThan(-0.05);
    expect(s.bestValAcc).toBe(Math.max(...s.valAccHistory));

    const seen: number[][] = [];
    const pair: LossModel = {
      params: { w: zeros([1], 'float64') },
      loss: (a: NDArray, b: NDArray) => {
        seen.push([a.shape[0], b.shape[0], ...b.shape.slice(1)]);
        return [0, { w: zeros([1], 'float64') }];
      },
    };
    new Solver(
      pair,
      { train: arrayDataset(X, zeros([200, 16], 'int32')) },
      { batchSize: 25, numEpochs: 1, metric: null, verbose: false },
    ).train();
    expect(seen).toHaveLength(8);
    expect(seen[0]).toEqual([25, 25, 16]);
  });

  it('a classifier batch without labels is an error saying so', () => {
    const X = new Generator(0).randn(20, 12);
    const s = new Solver(
      statefulNet(),
      { train: arrayDataset(X) },
      { batchSize: 10, verbose: false, metric: null },
    );
    expect(() => s.step()).toThrow(/returned scores, not \[loss, grads\]/);
  });
});

describe('learning-rate schedules', () => {
  const pos = (iteration: number) => ({ iteration, iterationsPerEpoch: 10, numIterations: 100 });
  it('stepDecay multiplies as solver.py does (repeated *=), cosine goes from 1 to 0, warm-up ramps', () => {
    let r = 1;
    for (let e = 0; e < 7; e++) r *= 0.95;
    expect(stepDecay(0.95)(pos(75))).toBe(r);
    expect(stepDecay(0.95)(pos(9))).toBe(1);
    expect(cosineLr()(pos(0))).toBe(1);
    expect(cosineLr()(pos(50))).toBeCloseTo(0.5, 15);
    expect(cosineLr()(pos(100))).toBeCloseTo(0, 15);
    expect(warmupLr(4)(pos(0))).toBe(0.25);
    expect(warmupLr(4)(pos(3))).toBe(1);
    expect(composeLr(constantLr(), stepDecay(0.5))(pos(20))).toBe(0.25);
    expect(() => stepDecay(0)).toThrow(/decay must be > 0/);
  });

  it("the Solver applies lrDecay and a schedule together, recording each step's rate", () => {
    const d = solverData(40, 10);
    const s = new Solver(statefulNet(), d, { ...opts, numEpochs: 3, lrDecay: 0.5, lrSchedule: cosineLr() });
    s.train();
    const n = s.numIterations;
    const want = s.lrHistory.map((_, t) => {
      let f = 5e-3;
      for (let e = 0; e < Math.floor(t / 2); e++) f *= 0.5;
      return f * 0.5 * (1 + Math.cos((Math.PI * t) / n));
    });
    s.lrHistory.forEach((lr, t) => expect(lr).toBeCloseTo(want[t], 18));
  });
});
