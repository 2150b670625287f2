import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Generator } from '../../src/ndarray/index.js';
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  ReLU,
  Sequential,
} from '../../src/nn/modules/index.js';
import { Classifier } from '../../src/models/classifier.js';
import { Solver } from '../../src/solver/index.js';

function makeNet(seed: number) {
  const rng = new Generator(seed);
  const net = new Sequential(
    new Conv2d(3, 8, 3, { padding: 1, rng }),
    new BatchNorm2d(8),
    new ReLU(),
    new AvgPool2d(2),
    new Flatten(),
    new Dropout(0.9, { rng }),
    new Linear(8 * 4 * 4, 10, { rng }),
  );
  return new Classifier(net, { rng, reg: 1e-4 });
}

describe('Solver trains a Sequential through Classifier', () => {
  const g = new Generator(4);
  const X = g.randn(50, 3, 8, 8);
  const y = g.randint(0, 10, [50]);

  it('overfits 50 examples to 100% within 20 epochs', () => {
    const solver = new Solver(
      makeNet(1),
      { XTrain: X, yTrain: y, XVal: X, yVal: y },
      {
        updateRule: 'adam',
        optimConfig: { learningRate: 1e-2 },
        batchSize: 10,
        numEpochs: 20,
        verbose: false,
      },
    );
    solver.train();
    expect(Math.max(...solver.trainAccHistory)).toBe(1);
  });

  it('resumes exactly (params, batchnorm statistics and the dropout generator restored)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nabla-seq-'));
    try {
      const opts = {
        updateRule: 'sgdMomentum',
        optimConfig: { learningRate: 1e-2 },
        batchSize: 10,
        numEpochs: 3,
        verbose: false,
        seed: 2,
      } as const;
      const data = { XTrain: X, yTrain: y, XVal: X.slice('0:20'), yVal: y.slice('0:20') };
      const a = new Solver(makeNet(1), data, { ...opts, checkpointName: path.join(dir, 'seq') });
      a.train();
      const model = makeNet(1);
      const b = Solver.resume(path.join(dir, 'seq_epoch_1.npz'), model, data, opts);
      b.train();
      expect(b.lossHistory).toEqual(a.lossHistory);
      expect(model.params['6.weight'].toArray()).toEqual(a.model.params['6.weight'].toArray());
      expect(model.buffers()['1.runningVar'].toArray()).toEqual(
        (a.model as Classifier).buffers()['1.runningVar'].toArray(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
