import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/ndarray/index.js';
import { ThreeLayerConvNet } from '../../src/models/cnn.js';
import { Solver } from '../../src/solver/index.js';
import { numericGrad, relError } from './numeric.js';

describe('ThreeLayerConvNet', () => {
  it('has the documented params and ≈ ln(10) initial loss', () => {
    const net = new ThreeLayerConvNet();
    expect(net.params.W1.shape).toEqual([32, 3, 7, 7]);
    expect(net.params.W2.shape).toEqual([32 * 16 * 16, 100]);
    expect(net.params.W3.shape).toEqual([100, 10]);
    expect(net.params.W1.dtype).toBe('float32');
    const g = new Generator(0);
    const X = g.randn(2, 3, 32, 32);
    const y = g.randint(0, 10, [2]);
    expect(net.loss(X).shape).toEqual([2, 10]);
    expect(net.loss(X, y)[0]).toBeCloseTo(Math.log(10), 3);
  });

  it.each([0, 0.5])('gradients match numeric ones (reg = %s)', (reg) => {
    const g = new Generator(1);
    const X = g.randn(2, 2, 6, 6);
    const y = g.randint(0, 4, [2]);
    const net = new ThreeLayerConvNet({
      inputDim: [2, 6, 6],
      numFilters: 3,
      filterSize: 3,
      hiddenDim: 7,
      numClasses: 4,
      weightScale: 1e-1,
      reg,
      dtype: 'float64',
      seed: 2,
    });
    const gb = new Generator(3);
    for (const k of ['b1', 'b2', 'b3']) net.params[k].set('...', gb.randn(net.params[k].shape).mul(0.1));
    const [, grads] = net.loss(X, y);
    for (const [name, p] of Object.entries(net.params)) {
      const num = numericGrad(() => net.loss(X, y)[0], p);
      expect(relError(grads[name], num), name).toBeLessThan(1e-7);
    }
  });

  it('overfits 50 examples to 100% training accuracy within 20 epochs', () => {
    const g = new Generator(4);
    const X = g.randn(50, 3, 8, 8);
    const y = g.randint(0, 10, [50]);
    const net = new ThreeLayerConvNet({
      inputDim: [3, 8, 8],
      numFilters: 8,
      filterSize: 3,
      hiddenDim: 50,
      weightScale: 1e-1,
      seed: 1,
    });
    const solver = new Solver(
      net,
      { XTrain: X, yTrain: y, XVal: X, yVal: y },
      {
        updateRule: 'adam',
        optimConfig: { learningRate: 3e-3 },
        batchSize: 10,
        numEpochs: 20,
        verbose: false,
      },
    );
    solver.train();
    expect(Math.max(...solver.trainAccHistory)).toBe(1);
  });
});
