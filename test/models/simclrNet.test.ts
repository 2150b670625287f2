/** SimCLR's small ResNet and its loss under the Solver: shapes, parameter count, seeded training steps, features. */
import { describe, expect, it } from 'vitest';
import { ArrayDataset } from '../../src/data/batches.js';
import { computeTestTransform, computeTrainTransform } from '../../src/data/simclrAugment.js';
import { encodeImages, SimclrNet, simclrModel } from '../../src/models/simclrNet.js';
import { Generator } from '../../src/ndarray/random.js';
import type { NDArray } from '../../src/ndarray/ndarray.js';
import { tensor } from '../../src/autograd/index.js';
import { Solver } from '../../src/solver/solver.js';

const augment = (X: NDArray, rng: Generator): NDArray => computeTrainTransform(X, { rng });

const X = new Generator(0).uniform(0, 1, [8, 3, 32, 32], 'float32');

describe('SimclrNet', () => {
  it('projects (N, 3, 32, 32) to (N, 64) and encodes to (N, 128); 434,528 parameters', () => {
    const net = new SimclrNet({ rng: new Generator(1) });
    const count = net.parameters().reduce((a, p) => a + p.size, 0);
    // stem 864 + 64 (BN); blocks 2·9,216 + 2·64 | 32,768 + 36,864 + 8,192 + 3·128 | 131,072 + 147,456 + 32,768 + 3·256;
    // head 16,512 + 8,256
    expect(count).toBe(864 + 64 + 18560 + 78208 + 312064 + 16512 + 8256);
    expect(net.call(tensor(X.slice('0:2'))).shape).toEqual([2, 64]);
    expect(encodeImages(net, computeTestTransform(X)).shape).toEqual([8, 128]);
    expect(() => net.call(tensor(X.reshape(8, 3, 16, 64)))).toThrow(
      /SimclrNet: images of shape \(8, 3, 16, 64\)/,
    );
  });

  it('trains under the Solver on unlabelled batches, the same losses for the same seeds', () => {
    const losses = (): number[] => {
      const net = new SimclrNet({ rng: new Generator(2) });
      const model = simclrModel(net, { tau: 0.5, rng: new Generator(3), augment });
      const solver = new Solver(
        model,
        { train: new ArrayDataset(X) },
        {
          updateRule: 'adam',
          optimConfig: { learningRate: 1e-3 },
          batchSize: 4,
          numEpochs: 1,
          metric: null,
          verbose: false,
        },
      );
      solver.train();
      return solver.lossHistory;
    };
    const a = losses();
    expect(a).toHaveLength(2);
    // NT-Xent of 4 pairs lies in (0, log(2N - 1) + 2/tau]: finite and positive.
    for (const l of a) expect(l > 0 && l < Math.log(7) + 4).toBe(true);
    expect(losses()).toEqual(a);
    expect(() => simclrModel(new SimclrNet(), { tau: 0, rng: new Generator(0), augment })).toThrow(
      /tau must be a number > 0, got 0/,
    );
  });
});
